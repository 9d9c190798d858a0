#!/bin/bash
# I/O on a hard NFS mount whose server is gone.
# A hard NFSv4.1 mount of the kernel NFS server on 127.0.0.1 with short timeo=10,retrans=1; `rpc.nfsd 0` stops
# the server; then two threads wait in D (rpc_wait_bit_killable), and the kernel soon logs
# "nfs: server 127.0.0.1 not responding, still trying":
#   stat  `stat` of a file the client has never looked up (LOOKUP: nfs4_proc_lookup; the ACCESS for the
#         directory is cached by a stat just before the server stops)
#   open  `cat` of a file the client has looked up before (OPEN: nfs4_run_open_task)
#   access  `ls` of a name in a directory the client has looked up but not yet checked permissions on
#           (ACCESS: nfs4_proc_access under nfs_permission)
#   manager the client's state manager kernel thread ("127.0.0.1-manager"), once it is in D too (it starts a
#           few seconds after the first "not responding"; fact manager.outcome says whether it was seen)
#   exit    `sleep`, holding a file it wrote to (bash wrote, then exec'd sleep), stopped with SIGTERM: closing the
#           file on its way out flushes the dirty page and closes the NFSv4 state, so it waits in D inside do_exit
#           while its syscall file still shows the sleep (clock_nanosleep, an idle wait NfsWatch skips in a
#           process that is not exiting)
# Restarting the server lets both finish, and the kernel logs "nfs: server 127.0.0.1 OK".
# Sections: "<role> stack|wchan|syscall|stat", "dmesg not responding", "scan json", "scan table",
#   "metrics blocked", "metrics after", "dmesg"; facts: <role>.pid/.tid/.comm/.state/.wchan/.exit,
#   not_responding, ok, "scan json.exit".
. /opt/nfswatch/guest-lib.sh

modprobe nfsv4 || fail "modprobe nfsv4"
start_knfsd
mkdir -p /mnt/c
# A server that has just started can be slow with its first replies (5.10's nfsd looks for its client-tracking
# daemon first), longer than timeo=10 with one retry allows at mount time: the mount is retried a few times.
for attempt in 1 2 3 4 5; do
  mount -t nfs4 -o vers=4.1,hard,timeo=10,retrans=1 127.0.0.1:/srv/export /mnt/c && break
  say "mount attempt $attempt failed"
  [ "$attempt" = 5 ] && { kernel_log "dmesg mount failed"; fail "mount of the live server failed"; }
  sleep 2
done
section "proc mounts" grep ' /mnt/c ' /proc/mounts
# First, so that the stats below see the directory as it is after this file was made (the stacks of stat, cat and
# ls depend on what the client has cached of /mnt/c). The dirty page waits for writeback far longer than this runs.
bash -c 'exec 3>/mnt/c/exiting; echo data >&3; exec sleep 600' &
exit_pid=$!
for _ in $(seq 50); do [ "$(cat "/proc/$exit_pid/comm" 2>/dev/null)" = sleep ] && break; sleep 0.1; done
[ "$(cat "/proc/$exit_pid/comm" 2>/dev/null)" = sleep ] || fail "the writer never exec'd sleep"
echo data >/srv/export/new-file # made on the server side: the client has not looked it up
stat /mnt/c/warm-up >/dev/null 2>&1 # caches ACCESS of /mnt/c (the file does not exist)
stat /mnt/c/file >/dev/null || fail "stat of /mnt/c/file failed"
mkdir -p /srv/export/dir && echo inner >/srv/export/dir/inner
stat /mnt/c/dir >/dev/null || fail "stat of /mnt/c/dir failed" # looks dir up; no permission check on it yet
start_daemon

rpc.nfsd 0
say "server stopped (rpc.nfsd 0)"
stat /mnt/c/new-file >/tmp/stat.out 2>&1 &
stat_pid=$!
read -r pid tid < <(wait_thread stat '*' 30) || fail "stat never went to D"
say "stat: pid $pid tid $tid in D"
cat /mnt/c/file >/tmp/cat.out 2>&1 &
cat_pid=$!
read -r opid otid < <(wait_thread cat '*' 30) || fail "cat never went to D"
say "cat: pid $opid tid $otid in D"
ls /mnt/c/dir/inner >/tmp/ls.out 2>&1 &
ls_pid=$!
read -r apid atid < <(wait_thread ls '*' 30) || fail "ls never went to D"
say "ls: pid $apid tid $atid in D"
kill -TERM "$exit_pid"
read -r xpid xtid < <(wait_thread sleep '*' 30) || fail "the exiting sleep never went to D"
say "exit: pid $xpid tid $xtid in D"
if dmesg_wait 'nfs: server 127.0.0.1 not responding' 90; then fact not_responding 1; else fact not_responding 0; fi
section "dmesg not responding" bash -c 'dmesg --color=never | grep -E "nfs: server"'
sleep 1
thread_report stat "$pid" "$tid"
thread_report open "$opid" "$otid"
thread_report access "$apid" "$atid"
thread_report exit "$xpid" "$xtid"
if read -r mpid mtid < <(wait_thread '127.0.0.1-man*' '*' 15); then
  fact manager.outcome D
  thread_report manager "$mpid" "$mtid"
else
  fact manager.outcome "not seen in D"
fi
scan "scan json" --json --threshold 2s
scan "scan table" --threshold 2s
metrics "metrics blocked"

# Start the server again (same arguments): the stat finishes and the kernel says the server is OK.
rpc.nfsd -H 127.0.0.1 "${KNFSD_ARGS[@]}" || fail "rpc.nfsd restart"
say "server started again"
wait_exit "$stat_pid" 90 || say "stat did not finish within 90 s of the restart"
wait "$stat_pid"
fact stat.exit $?
wait_exit "$cat_pid" 90 || say "cat did not finish within 90 s of the restart"
wait "$cat_pid"
fact open.exit $?
wait_exit "$ls_pid" 90 || say "ls did not finish within 90 s of the restart"
wait "$ls_pid"
fact access.exit $?
wait_exit "$exit_pid" 90 || say "the exiting sleep did not finish within 90 s of the restart"
wait "$exit_pid"
fact exit.exit $?
section_file "stat output" /tmp/stat.out
section_file "cat output" /tmp/cat.out
section_file "ls output" /tmp/ls.out
if dmesg_wait 'nfs: server 127.0.0.1 OK' 30; then fact ok 1; else fact ok 0; fi
sleep 1.2
metrics "metrics after"
stop_daemon
umount /mnt/c || umount -f /mnt/c
rpc.nfsd 0
kernel_log dmesg
