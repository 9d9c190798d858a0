# Debian 13, kernel 6.12.73+deb13-amd64, Sysbox (nestybox/sysbox issue #1002, comment of 2026-04-18): runc's
# nsenter child, exiting, closes a file on sysbox-fs (the FUSE filesystem Sysbox mounts over parts of the
# container's /proc and /sys) and blocks in fuse_flush on that inode's i_rwsem (down_write is hidden in
# /proc form, so fuse_flush is the top visible frame). The thread holding the inode lock is not in the report.
kernel 6.12.73+deb13-amd64 x86_64 1500

mountinfo <<'MI'
25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
26 25 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
27 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
28 25 0:26 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1631524k,mode=755
512 25 0:71 / /var/lib/sysboxfs/6f1c2a9e0b7d rw,nosuid,nodev,relatime shared:290 - fuse sysboxfs rw,user_id=0,group_id=0,default_permissions,allow_other
MI

# Only the part of the trace down to the "?" frames after do_syscall_64 was available to me; the bottom entry
# frame (entry_SYSCALL_64_after_hwframe) is therefore not in the /proc form either.
proc_form < printed/42539-exit.txt > 42539.stack

thread 42539 42539 'runc:[1:CHILD]' D 900 960 exit_group 42539.stack
# The FUSE server, sysbox-fs (a Go program; its threads' stacks are not in the report).
thread 1201 1201 sysbox-fs S 20 1490 futex

kmsg 1088.614314 'INFO: task runc:[1:CHILD]:42539 blocked for more than 120 seconds.'
