#!/bin/bash
# An NFSv4.1 mount against an address whose server never answers. blackhole accepts on 127.0.0.2:2049 and never answers, so the mount waits for the first RPC NULL
# ping inside rpc_create: state D, wchan rpc_wait_bit_killable. Two such mounts at once, neither holding up the
# other (the kernel lists a client only after that ping):
#   direct  nfsmount: mount(2) itself, fstype nfs4, data vers=4.1,addr=127.0.0.2,clientaddr=127.0.0.1
#   helper  mount -t nfs4 -o vers=4.1 127.0.0.2:/ /mnt/helper: the stuck thread is its mount.nfs4 helper
# Sections: "<role> stack|wchan|syscall|stat", "nfsfs servers", "scan json", "scan table", "dmesg";
# facts: <role>.pid/.tid/.comm/.state/.wchan/.exit, "scan json.exit", after.mount_threads.
. /opt/nfswatch/guest-lib.sh

modprobe nfsv4 || fail "modprobe nfsv4"
mkdir -p /mnt/direct /mnt/helper
blackhole 127.0.0.2 2049 200 &
blackhole_pid=$!
sleep 0.5

nfsmount 127.0.0.2:/ /mnt/direct nfs4 vers=4.1,addr=127.0.0.2,clientaddr=127.0.0.1 >/tmp/nfsmount.out 2>&1 &
direct_pid=$!
mount -t nfs4 -o vers=4.1 127.0.0.2:/ /mnt/helper >/tmp/mount.out 2>&1 &
mount_pid=$!

read -r pid tid < <(wait_thread nfsmount 165 30) || fail "nfsmount never blocked in mount(2)"
read -r hpid htid < <(wait_thread mount.nfs4 165 30) || fail "mount.nfs4 never blocked in mount(2)"
say "direct mount(2): pid $pid tid $tid; mount.nfs4 helper: pid $hpid tid $htid; waiting 3 s past the 2 s threshold"
sleep 3

thread_report direct "$pid" "$tid"
thread_report helper "$hpid" "$htid"
section_file "nfsfs servers" /proc/fs/nfsfs/servers
scan "scan json" --json --threshold 2s
scan "scan table" --threshold 2s

# Cleanup: a mount waiting for the ping is killable (SIGTERM is fatal, rpc_wait_bit_killable returns).
kill -TERM "$direct_pid" "$hpid" 2>/dev/null
wait "$direct_pid"; fact direct.exit $?
wait "$mount_pid"; fact helper.exit $?
left=$(mount_threads)
fact after.mount_threads "$left"
kill "$blackhole_pid"; wait "$blackhole_pid" 2>/dev/null
kernel_log dmesg
[ "$left" = 0 ] || fail "$left threads still in mount(2) after cleanup"
