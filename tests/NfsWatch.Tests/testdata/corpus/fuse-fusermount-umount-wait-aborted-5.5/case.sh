# flatpak-builder on a kolabsys.com build host (libfuse issue #509, 2020-03-27): "flatpak-builder regularly leaves
# fusermount processes behind that are in uninterruptible (D) state". sysrq-w shows fusermount in umount2
# (ORIG_RAX 0xa6): the mount is already detached and cleanup_mnt, run as task work on the way back to user
# space, destroys the FUSE superblock, which aborts the connection and then waits in fuse_wait_aborted for the
# connection's outstanding requests (num_waiting) to drain. They never do.
kernel 5.5.10-200.fc31.x86_64 x86_64 60000

mountinfo <<'MI'
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/fedora-root rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:24 / /run rw,nosuid,nodev shared:13 - tmpfs tmpfs rw,mode=755
MI

# A syslog paste: drop the "Mar 25 16:49:08 host kernel: " prefix before proc_form (lib.sh's proc_form only
# strips "[ seconds]" prefixes).
sed -E 's/^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [^ ]+ kernel: //' printed/639694-umount.txt | proc_form > 639694.stack

# The build step that ran fusermount, waiting for it (its stack is not in the report).
thread 1274 1274 flatpak-builder S 50000 59990 wait4
thread 639694 639694 fusermount D 58000 58001 umount2 639694.stack
umount_arg 639694 /home/builder/app/.flatpak-builder/rofiles/rofiles-Ab3dEf
cmdline 639694 fusermount -u /home/builder/app/.flatpak-builder/rofiles/rofiles-Ab3dEf

kmsg 59500 'sysrq: Show Blocked State'
