# Tycho Andersen's fuse2 reproducer (linux-fsdevel "strange interaction between fuse + pidns", 2022-06-23): a
# FUSE daemon in a pid namespace spawns a thread that uses its own mount. When the namespace's init exits, the
# daemon is killed; its serving thread dies, but the other thread, exiting, flushes a FUSE file (fuse_flush is
# a forced request: an uninterruptible wait in request_wait_answer) and still holds /dev/fuse open, so the
# connection is never aborted and no one will ever answer. The namespace's init waits for it in
# zap_pid_ns_processes. Stacks: cat /proc/PID/stack as the mail prints them.
kernel 5.15.0-39-generic x86_64 9000

mountinfo <<'MI'
24 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg0-root rw
25 24 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
26 24 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
27 24 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=3276800k,mode=755
812 24 0:67 / /tmp/fuse2/mnt rw,nosuid,nodev,relatime shared:402 - fuse fuse2 rw,user_id=0,group_id=0
MI

for f in 1544574-flush 1528591-pidns-init; do proc_form < printed/$f.txt > ${f%%-*}.stack; done

# The pid namespace's init, exiting (exit_group) and reaping its namespace.
thread 1528591 1528591 init S 7000 7500 exit_group 1528591.stack
# The daemon's remaining thread: the SIGKILL found it on its way back from a system call.
thread 1544574 1544574 main D 7100 7501 futex 1544574.stack
