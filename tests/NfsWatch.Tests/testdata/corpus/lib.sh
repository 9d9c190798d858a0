# Shared by every corpus case (sourced by make-corpus.sh, with the case's directory as the working directory).
# A case is a real hang from a public report, rebuilt as a /proc tree under proc/ that `nfswatch scan --procfs`
# reads: one task directory per thread of the report, with the kernel stack in the form /proc/PID/task/TID/stack
# prints it (see proc_form), and the kernel log lines of the report in kmsg (the /dev/kmsg record format).
#
# Clock ticks are 100 per second. Times are seconds since boot: "started" is when the thread started,
# "ran" when it last ran (se.exec_start); the scan's "now" is the uptime given to `kernel`.

# kernel RELEASE MACHINE UPTIME: the kernel the report ran (x86_64 or aarch64) and the moment of the scan.
kernel() {
  rm -rf proc kmsg && mkdir -p proc/sys/kernel proc/self proc/1
  printf '%s\n' "$1" > proc/sys/kernel/osrelease
  printf '#1 SMP %s\n' "$1" > proc/sys/kernel/version
  printf '%s\n' "$2" > proc/sys/kernel/arch
  printf '%s 100.00\n' "$3" > proc/uptime
  : > kmsg
  _machine=$2
  _uptime=$3
  _seq=0
}

# syscall numbers of the calls cases use, per machine (arch/x86/entry/syscalls/syscall_64.tbl,
# include/uapi/asm-generic/unistd.h).
_nr() {
  local x86 generic
  case $1 in
    mount) x86=165 generic=40 ;; umount2) x86=166 generic=39 ;;
    fsopen) x86=430 generic=430 ;; fsconfig) x86=431 generic=431 ;; fsmount) x86=432 generic=432 ;;
    move_mount) x86=429 generic=429 ;; open_tree) x86=428 generic=428 ;;
    read) x86=0 generic=63 ;; write) x86=1 generic=64 ;; open) x86=2 generic=-1 ;; close) x86=3 generic=57 ;;
    stat) x86=4 generic=-1 ;; fstat) x86=5 generic=80 ;; lstat) x86=6 generic=-1 ;; access) x86=21 generic=-1 ;;
    fsync) x86=74 generic=82 ;; getdents64) x86=217 generic=61 ;; openat) x86=257 generic=56 ;;
    mkdir) x86=83 generic=-1 ;; mkdirat) x86=258 generic=34 ;; unlink) x86=87 generic=-1 ;; unlinkat) x86=263 generic=35 ;;
    rename) x86=82 generic=-1 ;; renameat2) x86=316 generic=276 ;; newfstatat) x86=262 generic=79 ;;
    statx) x86=332 generic=291 ;; statfs) x86=137 generic=43 ;; chdir) x86=80 generic=49 ;; readlink) x86=89 generic=-1 ;;
    flock) x86=73 generic=32 ;; fcntl) x86=72 generic=25 ;; exit_group) x86=231 generic=94 ;; sync) x86=162 generic=81 ;;
    execve) x86=59 generic=221 ;; wait4) x86=61 generic=260 ;; futex) x86=202 generic=98 ;; ioctl) x86=16 generic=29 ;;
    *) echo "lib.sh: no number for system call '$1'" >&2; return 1 ;;
  esac
  if [ "$_machine" = x86_64 ]; then echo "$x86"; else echo "$generic"; fi
}

# thread PID TID COMM STATE STARTED RAN SYSCALL [STACKFILE] [WCHAN]
#   STATE     the stat letter (D, S, R)
#   SYSCALL   a name from _nr ("mount", "newfstatat"), "none" for a thread in no system call (a page fault, an
#             exiting task: /proc shows "-1 SP PC"), or "kthread" for a kernel thread (flags PF_KTHREAD)
#   STACKFILE a file in the case directory, already in /proc form (see proc_form); none: an empty stack
#   WCHAN     default: the stack's first frame; "0" for a kernel that prints 0 (5.10 with ORC, or no access)
# String arguments of the call are read from "memory" (the file proc/PID/mem) at fixed addresses: use
# mount_args, path_arg and umount_arg to put them there.
thread() {
  local pid=$1 tid=$2 comm=$3 state=$4 started=$5 ran=$6 call=$7 stack=${8:-} wchan=${9:-}
  local d=proc/$pid/task/$tid flags=4194560 line
  mkdir -p "$d"
  case $call in
    kthread) flags=2129984 line='0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0' ;;
    none) line='-1 0x7ffd2a1c1ed8 0x7f3b1c2e6d46' ;;
    mount) line="$(_nr mount) 0x1000 0x1100 0x1200 0x0 0x2000 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46" ;;
    umount2) line="$(_nr umount2) 0x1100 0x0 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46" ;;
    openat|newfstatat|statx|mkdirat|unlinkat|renameat2)
      line="$(_nr "$call") 0xffffffffffffff9c 0x1000 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46" ;;
    open|stat|lstat|access|mkdir|unlink|rename|statfs|chdir|readlink)
      line="$(_nr "$call") 0x1000 0x0 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46" ;;
    *) line="$(_nr "$call") 0x3 0x0 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46" ;; # fd calls: fd 3
  esac
  printf '%s (%s) %s 1 %s %s 0 -1 %s 120 0 0 0 1 2 0 0 20 0 1 0 %s 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' \
    "$tid" "$comm" "$state" "$pid" "$pid" "$flags" "$((started * 100))" > "$d/stat"
  printf '%s\n' "$line" > "$d/syscall"
  if [ -n "$stack" ]; then cp "$stack" "$d/stack"; else : > "$d/stack"; fi
  if [ -z "$wchan" ]; then
    wchan=$(sed -n '1s/^\[<[0-9a-fx]*>\] \([A-Za-z0-9_.]*\).*/\1/p' "$d/stack")
    [ -n "$wchan" ] || wchan=0
  fi
  printf '%s' "$wchan" > "$d/wchan"
  printf '%s (%s, #threads: 1)\n-------------------------------------------------------------------\nse.exec_start                                :%21s\nnr_switches                                  :                  110\n' \
    "$comm" "$tid" "$(awk -v r="$ran" 'BEGIN { printf "%.6f", r * 1000 }')" > "$d/sched"
  # The process's own files (its leader's): stat for the exit check, a cgroup, an empty mountinfo by default.
  if [ "$pid" = "$tid" ] || [ ! -e "proc/$pid/stat" ]; then cp "$d/stat" "proc/$pid/stat"; fi
  [ -e "proc/$pid/cgroup" ] || printf '0::/system.slice/case.service\n' > "proc/$pid/cgroup"
  [ -e "proc/$pid/mountinfo" ] || cp proc/1/mountinfo "proc/$pid/mountinfo" 2>/dev/null || : > "proc/$pid/mountinfo"
}

# kthread PID COMM STATE STARTED RAN [STACKFILE] [WCHAN]: a kernel thread ("10.0.0.5-manager", "kworker/0:2").
kthread() { thread "$1" "$1" "$2" "$3" "$4" "$5" kthread "${6:-}" "${7:-}"; }

# _mem PID ADDRESS STRING: a NUL-terminated string in the process's "memory".
_mem() { printf '%s\0' "$3" | dd of="proc/$1/mem" bs=1 seek=$(($2)) conv=notrunc status=none; }

# mount_args PID SOURCE TARGET FSTYPE DATA: the strings mount(2) was called with.
mount_args() { _mem "$1" 0x1000 "$2"; _mem "$1" 0x1100 "$3"; _mem "$1" 0x1200 "$4"; _mem "$1" 0x2000 "$5"; }
# umount_arg PID TARGET: the path umount2(2) was called with.
umount_arg() { _mem "$1" 0x1100 "$2"; }
# path_arg PID PATH: the path of a path system call (stat, openat, mkdir, ...).
path_arg() { _mem "$1" 0x1000 "$2"; }
# fd_link PID FD TARGET: /proc/PID/fd/FD (fd calls use fd 3); cwd PID DIR: /proc/PID/cwd.
fd_link() { mkdir -p "proc/$1/fd"; ln -sfn "$3" "proc/$1/fd/$2"; }
cwd() { ln -sfn "$2" "proc/$1/cwd"; }
# netns PID INODE: the network namespace of a process (/proc/PID/ns/net -> net:[INODE]).
netns() { mkdir -p "proc/$1/ns"; ln -sfn "net:[$2]" "proc/$1/ns/net"; }
# cmdline PID ARGV...: /proc/PID/cmdline (the mount helper's fallback).
cmdline() { local pid=$1; shift; printf '%s\0' "$@" > "proc/$pid/cmdline"; }
# cgroup PID TEXT: /proc/PID/cgroup.
cgroup() { printf '%s\n' "$2" > "proc/$1/cgroup"; }

# mountinfo [PID] < LINES: the mount table (proc/PID/mountinfo; without PID the host's, proc/1/mountinfo, which
# processes created afterwards get too). Give it before the threads that should see it.
mountinfo() { local f=proc/${1:-1}/mountinfo; mkdir -p "$(dirname "$f")"; cat > "$f"; }
# mountstats < TEXT: /proc/self/mountstats (established NFS mounts with their RPC counters).
mountstats() { cat > proc/self/mountstats; }

# kmsg SECONDS MESSAGE: one kernel log record at SECONDS since boot ("nfs: server X not responding, still trying",
# "INFO: task mount.nfs:1234 blocked for more than 120 seconds.").
# The timestamp is in microseconds: awk prints it with %.0f, since %d stops at 2^31 in mawk.
kmsg() { _seq=$((_seq + 1)); printf '6,%d,%s,-;%s\n' "$_seq" "$(awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000000 }')" "$2" >> kmsg; }

# proc_form < PRINTED > STACK: a stack as a report prints it (a hung-task trace, sysrq-t, /proc/PID/stack, with
# or without "[ 123.456]" timestamps) in the form /proc/PID/task/TID/stack shows it: one "[<0>] func+off/size
# [module]" line per frame, innermost first, without the frames /proc never shows. stack_trace_save_tsk skips
# frames for which in_sched_functions() is true (kernel/stacktrace.c): the scheduler and the sleeping locks
# (__sched: schedule*, io_schedule*, __schedule, mutex_lock*, __mutex_lock*, down*, rwsem_*, __wait_on_bit*,
# out_of_line_wait_on_bit*, bit_wait*, wait_for_completion*, usleep_range*, schedule_timeout*,
# preempt_schedule*, __down*, __lock_text). Frames printed with "?" are unreliable guesses and dropped;
# register dumps, "<IRQ>" markers and the entry frames below the syscall are kept as they are printed.
proc_form() {
  sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//; s/^ +//' \
  | awk '
      /^\[<[0-9a-fx]+>\] / || /^[A-Za-z_.][A-Za-z0-9_.]*\+0x[0-9a-f]+\/0x[0-9a-f]+/ {
        line = $0
        sub(/^\[<[0-9a-fx]+>\] /, "", line)
        if (line ~ /^\? /) next
        name = line; sub(/\+.*/, "", name)
        if (name ~ /^(__schedule|schedule|schedule_.*|io_schedule.*|preempt_schedule.*|mutex_lock.*|__mutex_lock.*|mutex_lock_.*|down|down_.*|__down.*|rwsem_.*|__rwsem_.*|__wait_on_bit.*|out_of_line_wait_on_bit.*|bit_wait.*|wait_for_completion.*|__wait_for_common|wait_for_common.*|usleep_range.*|__lock_text_start|__sched_text_start)$/) next
        print "[<0>] " line
      }'
}
