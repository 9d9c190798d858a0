#!/bin/bash
# NFSv3 mount paths, to capture real kernel stacks of the NFSv3 lockd start-up hang.
#   1. live     mount -t nfs -o vers=3 127.0.0.1:/srv/export of the kernel NFS server (v3 enabled, rpc.statd
#               started by mount.nfs): it should just work; the lockd kernel thread's stack is recorded.
#   2. mnt      mount(2) of nfs vers=3 whose MOUNT call goes to pingonly (127.0.0.3, answers RPC NULL only):
#               waits in the kernel's own MNT request (nfs_mount <- nfs_request_mount <- nfs_try_mount_request).
#   3. lockd    mount(2) of nfs vers=3 with locking, the first lockd user on the host, while "rpcbind" is
#               pingonly on 127.0.0.1:111 (the real rpcbind stopped): MNT answered by the real rpc.mountd,
#               NULL pings by pingonly on 127.0.0.3, and lockd_up waits for rpcbind to answer its
#               (un)registration (lockd_up <- nlmclnt_init <- nfs_start_lockd <- nfs_create_server).
# Each step reports what happened (facts "<step>.outcome": mounted, hung, failed); only setup errors fail it.
# Sections: "<role> stack|wchan|syscall|stat" for each thread caught in D (roles: mnt, lockd, lockd-killed: the
# lockd one 2 s after SIGKILL), "lockd-thread stack" (the kernel's lockd thread), "scan json <step>", "dmesg".
. /opt/nfswatch/guest-lib.sh

modprobe nfsv3 || fail "modprobe nfsv3"
modprobe nfsv4 || true
start_knfsd 4 # NFSv3 and v4, 4 threads
mkdir -p /mnt/live /mnt/mnt /mnt/lockd

# 1. live
started=$(date +%s%N)
if timeout 60 mount -t nfs -o vers=3 127.0.0.1:/srv/export /mnt/live >/tmp/live.out 2>&1; then
  fact live.outcome mounted
else
  fact live.outcome failed
fi
fact live.ms $(( ($(date +%s%N) - started) / 1000000 ))
section_file "live output" /tmp/live.out
section "proc mounts" grep ' /mnt/live ' /proc/mounts
if read -r lpid ltid < <(find_thread lockd '*' S) || read -r lpid ltid < <(find_thread lockd '*' I); then
  fact lockd-thread.pid "$lpid"
  section_file "lockd-thread stack" "/proc/$lpid/task/$ltid/stack"
fi
fact live.file "$(cat /mnt/live/file 2>&1)"
umount /mnt/live

# 2. mnt: MNT (program 100005) goes to pingonly, which answers NULL calls only.
pingonly 127.0.0.3 2049 200 2>/tmp/pingonly.log &
pingonly_pid=$!
sleep 0.5
nfsmount 127.0.0.3:/srv/export /mnt/mnt nfs vers=3,proto=tcp,port=2049,addr=127.0.0.3,mountaddr=127.0.0.3,mountport=2049,mountproto=tcp,mountvers=3,nolock >/tmp/mnt.out 2>&1 &
mnt_pid=$!
if read -r pid tid < <(wait_thread nfsmount 165 20); then
  sleep 3
  fact mnt.outcome hung
  thread_report mnt "$pid" "$tid"
  scan "scan json mnt" --json --threshold 2s
  kill -KILL "$mnt_pid"
else
  fact mnt.outcome failed
  kill -KILL "$mnt_pid" 2>/dev/null
fi
wait "$mnt_pid" 2>/dev/null
section_file "mnt output" /tmp/mnt.out

# 3. lockd: no lockd may be running, so that this mount is the one that starts it.
rpc.nfsd 0
for i in $(seq 1 50); do find_thread lockd '*' S >/dev/null || find_thread lockd '*' I >/dev/null || break; sleep 0.2; done
if find_thread lockd '*' S >/dev/null || find_thread lockd '*' I >/dev/null; then
  fact lockd.outcome "skipped: lockd still running"
else
  kill "$(pidof rpcbind)" 2>/dev/null
  sleep 0.5
  rm -f /run/rpcbind.sock
  pingonly 127.0.0.1 111 200 2>/tmp/rpcbind-pingonly.log &
  rpcbind_pid=$!
  sleep 0.5
  nfsmount 127.0.0.3:/srv/export /mnt/lockd nfs vers=3,proto=tcp,port=2049,addr=127.0.0.3,mountaddr=127.0.0.1,mountport=20048,mountproto=tcp,mountvers=3 >/tmp/lockd.out 2>&1 &
  lockd_mount_pid=$!
  if read -r pid tid < <(wait_thread nfsmount 165 20); then
    sleep 3
    if grep -q lockd_up "/proc/$pid/task/$tid/stack"; then fact lockd.outcome hung; else fact lockd.outcome "hung elsewhere"; fi
    thread_report lockd "$pid" "$tid"
    scan "scan json lockd" --json --threshold 2s
    # SIGKILL does not end it at once: lockd_up's error path unregisters again, and each of those calls
    # waits for the rpcbind timeout (60 s; seen here: three of them, 180 s) unless rpcbind goes away.
    kill -KILL "$lockd_mount_pid"
    sleep 2
    if [ -e "/proc/$pid/task/$tid" ]; then
      fact lockd-killed.outcome "still there 2 s after SIGKILL"
      thread_report lockd-killed "$pid" "$tid"
    else
      fact lockd-killed.outcome "ended by SIGKILL"
    fi
  else
    fact lockd.outcome "not hung"
  fi
  # Without its fake rpcbind the calls fail at once (connection refused) and the killed mount ends.
  kill "$rpcbind_pid" 2>/dev/null; wait "$rpcbind_pid" 2>/dev/null
  killed_at=$(date +%s%N)
  wait_exit "$lockd_mount_pid" 60 || say "the killed lockd mount did not end within 60 s of the fake rpcbind's end"
  fact lockd-killed.release_ms $(( ($(date +%s%N) - killed_at) / 1000000 ))
  wait "$lockd_mount_pid" 2>/dev/null
  section_file "lockd output" /tmp/lockd.out
  section_file "rpcbind-pingonly log" /tmp/rpcbind-pingonly.log
fi
kill "$pingonly_pid" 2>/dev/null; wait "$pingonly_pid" 2>/dev/null
section_file "pingonly log" /tmp/pingonly.log
fact after.mount_threads "$(mount_threads)"
kernel_log dmesg
exit 0
