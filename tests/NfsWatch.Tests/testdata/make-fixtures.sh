#!/usr/bin/env bash
# Regenerates the fixture proc trees under testdata/proc/. Each tree is one scenario; the stacks are
# real ones captured as cited beside each scenario. Clock ticks are 100 per second (sysconf(_SC_CLK_TCK)
# on x86_64 and arm64 Linux), so starttime 60000 is 600 s after boot.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf proc && mkdir proc

# stat TREE PID TID COMM STATE FLAGS STARTTICKS
stat_line() {
  printf '%s (%s) %s 1 %s %s 0 -1 %s 120 0 0 0 1 2 0 0 20 0 1 0 %s 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' \
    "$2" "$3" "$4" "$1" "$1" "$5" "$6"
}
# task TREE PID TID COMM STATE FLAGS STARTTICKS SYSCALL WCHAN EXEC_START_MS [STACKFILE]
task() {
  local tree=$1 pid=$2 tid=$3 comm=$4 state=$5 flags=$6 start=$7 syscall=$8 wchan=$9 exec=${10} stack=${11:-}
  local d="proc/$tree/$pid/task/$tid"
  mkdir -p "$d"
  stat_line "$pid" "$tid" "$comm" "$state" "$flags" "$start" > "$d/stat"
  printf '%s\n' "$syscall" > "$d/syscall"
  printf '%s' "$wchan" > "$d/wchan"
  printf '%s (%s, #threads: 1)\n-------------------------------------------------------------------\nse.exec_start                                :%21s\nse.vruntime                                  :           475.437215\nnr_switches                                  :                  110\n' \
    "$comm" "$tid" "$exec" > "$d/sched"
  if [ -n "$stack" ]; then cp "stacks/$stack" "$d/stack"; else printf '[<0>] do_epoll_wait+0x4d1/0x540\n[<0>] __x64_sys_epoll_wait+0x6e/0x110\n[<0>] do_syscall_64+0x5b/0x110\n[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n' > "$d/stack"; fi
}
kernel() { # TREE RELEASE ARCH UPTIME
  mkdir -p "proc/$1/sys/kernel"
  printf '%s\n' "$2" > "proc/$1/sys/kernel/osrelease"
  printf '#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22)\n' > "proc/$1/sys/kernel/version"
  printf '%s\n' "$3" > "proc/$1/sys/kernel/arch"
  printf '%s 1600.00\n' "$4" > "proc/$1/uptime"
}
IDLE='232 0x4 0x7ffd2a1c1f00 0x100 0xffffffff 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46'
FUTEX='202 0xc000100148 0x80 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x46f023'
# mount(2) as mount.nfs4 calls it: source, target, "nfs4", flags, data
MOUNT='165 0x55d0c9a132a0 0x55d0c9a13300 0x55d0c9a13320 0x0 0x55d0c9a14000 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa'

# A mount.nfs4 helper hung in mount(2) against a server that never answers (stack: ../shared/TESTBED.md
# section 2, captured on Debian 6.1.0-56-amd64). It last ran at 658 s; uptime 1000 s: 342 s in the call.
kernel nfs4-helper 6.1.0-56-amd64 x86_64 1000.00
task nfs4-helper 1 1 systemd S 4194560 2 "$IDLE" do_epoll_wait 999000.000000
task nfs4-helper 2 2 kthreadd S 2129984 2 "-1 0x0 0x0" kthreadd 999000.000000
task nfs4-helper 2100 2100 mount.nfs4 D 4194560 60000 "$MOUNT" rpc_wait_bit_killable 658000.000000 nfs4-no-answer.txt
task nfs4-helper 2099 2099 mount S 4194560 59990 '61 0xffffffff 0x7ffd1c 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46' do_wait 600100.000000

# dockerd mounts NFS volumes from one of its threads while the main thread sleeps elsewhere (TESTBED 9).
kernel dockerd-thread 6.1.0-56-amd64 x86_64 1000.00
task dockerd-thread 3000 3000 dockerd S 4194560 5000 "$FUTEX" futex_wait_queue 999900.000000
task dockerd-thread 3000 3001 dockerd S 4194624 5001 "$IDLE" do_epoll_wait 999950.000000
task dockerd-thread 3000 3007 dockerd D 4194624 5002 "$MOUNT" nfs_wait_client_init_complete 880000.000000 nfs4-waiter.txt
task dockerd-thread 3000 3008 dockerd R 4194624 5002 running 0 999999.000000

# Tasks that vanish mid-scan: thread 4001 is listed but its files are gone; process 4100 has no task dir.
kernel vanished 6.18.44 x86_64 500.00
task vanished 4000 4000 worker S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
mkdir -p proc/vanished/4000/task/4001 proc/vanished/4100

# Malformed content: a stat line without its command, a syscall file of garbage. Both are scan errors.
kernel malformed 6.18.44 x86_64 500.00
task malformed 5000 5000 good S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
task malformed 5001 5001 badstat S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
printf '5001 badstat S 1 5001\n' > proc/malformed/5001/task/5001/stat
task malformed 5002 5002 badsyscall S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
printf 'zz 0xq\n' > proc/malformed/5002/task/5002/syscall

# An arm64 host (ECS on Graviton): mount(2) is system call 40 there.
kernel arm64 6.1.0-56-arm64 aarch64 1000.00
task arm64 6000 6000 mount.nfs4 D 4194560 60000 '40 0xaaaad0c9a132a0 0xaaaad0c9a13300 0xaaaad0c9a13320 0x0 0xaaaad0c9a14000 0x0 0xffffd8e1b2c18 0xffff9d51f9fa' rpc_wait_bit_killable 700000.000000 nfs4-no-answer-arm64.txt
task arm64 6001 6001 dockerd S 4194560 60000 '165 0x1 0x2 0x3 0x4 0x5 0x6 0xffffd8e1b2c18 0xffff9d51f9fa' futex_wait_queue 700000.000000

# One thread in mount(2), with stat readable and stack not: the test makes stack files unreadable and runs
# the scan as an unprivileged user, so the refusal (EACCES) is the kernel's, not a fake.
kernel no-stack 6.18.44 x86_64 1000.00
task no-stack 7000 7000 mount.nfs4 D 4194560 60000 "$MOUNT" rpc_wait_bit_killable 658000.000000 nfs4-no-answer.txt
