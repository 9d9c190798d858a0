# CentOS 7 on aarch64 with systemd-219 (systemd issue #4886, 2016-12-14): "df -h, ls /proc/sys/fs/binfmt_misc
# hangs forever". df's stat of /proc/sys/fs/binfmt_misc crosses systemd's autofs trigger
# (proc-sys-fs-binfmt_misc.automount, owned by pid 1) and waits in autofs4_wait for systemd to mount it and answer;
# systemd never does. Stack: cat /proc/19999/stack as the issue prints it (an arm64 kernel of that age shows the
# __switch_to frame in /proc/PID/stack).
kernel 4.5.0-15.el7.aarch64 aarch64 250000

mountinfo <<'MI'
18 1 8:2 / / rw,relatime shared:1 - xfs /dev/sda2 rw,attr2,inode64,noquota
19 18 0:4 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
20 18 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
37 19 0:33 / /proc/sys/fs/binfmt_misc rw,relatime shared:22 - autofs systemd-1 rw,fd=32,pgrp=1,timeout=300,minproto=5,maxproto=5,direct
MI

proc_form < printed/19999-df.txt > 19999.stack

# systemd, the automount daemon for that autofs (pgrp=1), idle in its event loop (its stack is not in the report).
thread 1 1 systemd S 0 249990 futex
# lib.sh has no number for epoll_pwait; on arm64 it is 22 (include/uapi/asm-generic/unistd.h).
sed -i 's/^[0-9]* 0x3 /22 0x4 /' proc/1/task/1/syscall

# df: autofs4_wait in 4.5 sleeps with wait_event_interruptible (signals other than SIGKILL/SIGINT/SIGQUIT
# blocked), so the task shows S, not D. /proc/PID/wchan names autofs4_wait, not the __switch_to frame.
thread 19999 19999 df S 200000 200001 newfstatat 19999.stack autofs4_wait
path_arg 19999 /proc/sys/fs/binfmt_misc
cmdline 19999 df -h
