#!/bin/bash
# Head-of-line blocking of NFSv4 client initialisation.
# The kernel NFS server serves /srv/export on 127.0.0.1 only; pingonly on 127.0.0.3 answers RPC NULL pings and
# nothing else.
#   blocker  nfsmount: mount(2) of 127.0.0.3:/ (nfs4, vers=4.1): passes rpc_create, its client is listed as
#            initialising, and it waits for EXCHANGE_ID forever (rpc_wait_bit_killable under nfs4_run_exchange_id)
#   waiter   mount -t nfs4 -o vers=4.1 127.0.0.1:/srv/export /mnt/b: its mount.nfs4 helper waits behind the
#            blocker's client in nfs_wait_client_init_complete, before it even contacts its own (healthy) server
# `nfswatch run` watches throughout. SIGKILL to the blocker lets the waiter finish and /mnt/b appear.
# Sections: "<role> stack|wchan|syscall|stat", "nfsfs servers", "scan json", "scan table", "metrics hung",
#   "metrics after", "scan json after", "proc mounts", "daemon log", "dmesg";
# facts: <role>.pid/.tid/.comm/.state/.wchan, waiter.exit, waiter.release_ms, waiter.mounted, "scan json.exit", ...
. /opt/nfswatch/guest-lib.sh

modprobe nfsv4 || fail "modprobe nfsv4"
start_daemon
start_knfsd
mkdir -p /mnt/a /mnt/b
pingonly 127.0.0.3 2049 200 2>/tmp/pingonly.log &
pingonly_pid=$!
sleep 0.5

nfsmount 127.0.0.3:/ /mnt/a nfs4 vers=4.1,addr=127.0.0.3,clientaddr=127.0.0.1 >/tmp/nfsmount.out 2>&1 &
blocker_pid=$!
read -r pid tid < <(wait_thread nfsmount 165 30) || fail "the blocker never blocked in mount(2)"
# Past the NULL ping, waiting for EXCHANGE_ID: only now is its client listed as initialising.
deadline=$(( $(cut -d. -f1 /proc/uptime) + 30 ))
until grep -q nfs4_run_exchange_id "/proc/$pid/task/$tid/stack"; do
  [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ] || { section_file "blocker stack" "/proc/$pid/task/$tid/stack"; fail "the blocker never reached EXCHANGE_ID"; }
  sleep 0.2
done
say "blocker: pid $pid tid $tid waits for EXCHANGE_ID"

mount -t nfs4 -o vers=4.1 127.0.0.1:/srv/export /mnt/b >/tmp/mount.out 2>&1 &
mount_pid=$!
read -r wpid wtid < <(wait_thread mount.nfs4 165 30) || fail "the waiter never blocked in mount(2)"
wait_top_frame "$wpid" "$wtid" nfs_wait_client_init_complete 30 || say "the waiter waits in $(head -n 1 "/proc/$wpid/task/$wtid/stack"), not nfs_wait_client_init_complete"
say "waiter: mount.nfs4 pid $wpid tid $wtid; waiting 3 s past the 2 s threshold"
sleep 3

thread_report blocker "$pid" "$tid"
thread_report waiter "$wpid" "$wtid"
section_file "nfsfs servers" /proc/fs/nfsfs/servers
scan "scan json" --json --threshold 2s
scan "scan table" --threshold 2s
wait_metric '^nfswatch_hung_mount_oldest_seconds [1-9]' 10 || say "the daemon does not report a hung mount yet"
metrics "metrics hung"

# End the blocker: its client is marked failed, and the waiter goes on to its own server.
killed_at=$(date +%s%N)
kill -KILL "$pid"
wait "$blocker_pid" 2>/dev/null
fact blocker.exit $?
wait_exit "$mount_pid" 60 || say "the waiter did not finish within 60 s of the blocker's end"
fact waiter.release_ms $(( ($(date +%s%N) - killed_at) / 1000000 ))
wait "$mount_pid"
fact waiter.exit $?
section_file "waiter output" /tmp/mount.out
section "proc mounts" grep -E ' nfs4? ' /proc/mounts
if grep -q ' /mnt/b nfs4 ' /proc/mounts; then fact waiter.mounted 1; else fact waiter.mounted 0; fi
fact waiter.file "$(cat /mnt/b/file 2>&1)"
section_file "nfsfs servers after" /proc/fs/nfsfs/servers

wait_metric '^nfswatch_hung_mount_oldest_seconds 0$' 10 || say "the daemon still reports a hung mount"
sleep 1.2 # a couple of scan intervals
metrics "metrics after"
scan "scan json after" --json --threshold 2s
fact after.mount_threads "$(mount_threads)"

stop_daemon
umount /mnt/b
rpc.nfsd 0
kill "$pingonly_pid" 2>/dev/null; wait "$pingonly_pid" 2>/dev/null
section_file "pingonly log" /tmp/pingonly.log
kernel_log dmesg
grep -q ' /mnt/b nfs4 ' /proc/mounts && fail "/mnt/b still mounted"
exit 0
