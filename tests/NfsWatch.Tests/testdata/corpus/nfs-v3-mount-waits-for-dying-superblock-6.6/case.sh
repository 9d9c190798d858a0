# Daire Byrne (DNEG), linux-nfs, 3 Nov 2023: on v6.6 autofs clients (NFSv3 to RHEL 8.5 servers) an umount.nfs
# hangs in nfs_kill_super -> generic_shutdown_super -> evict_inodes (a folio lock in truncate_inode_pages_range)
# holding the superblock's s_umount, and the next automount of the same export waits for that superblock in
# sget_fc -> grab_super_dead -> grab_super -> super_lock. Stacks: the hung-task reports.
kernel 6.6.0-1.dneg.x86_64 x86_64 202760

# The umount has already detached its mount, so only the autofs trigger is left in the table.
mountinfo <<'MI'
22 1 8:2 / / rw,relatime shared:1 - xfs /dev/sda2 rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
41 22 0:44 / /net/nfs1 rw,relatime shared:27 - autofs /etc/auto.net rw,fd=18,pgrp=2310,timeout=300,minproto=5,maxproto=5,indirect,pipe_ino=31240
MI

proc_form < printed/58118-umount.nfs.txt > 58118.stack
proc_form < printed/60827-mount.nfs.txt > 60827.stack

# automount runs umount.nfs and mount(8) -> mount.nfs for its expiries and lookups.
thread 2310 2310 automount S 40 202755 futex
thread 58118 58118 umount.nfs D 202260 202261 umount2 58118.stack
umount_arg 58118 /net/nfs1/data
cmdline 58118 /sbin/umount.nfs /net/nfs1/data

thread 60826 60826 mount S 202620 202750 wait4
thread 60827 60827 mount.nfs D 202621 202622 mount 60827.stack
mount_args 60827 10.21.4.17:/data /net/nfs1/data nfs 'vers=3,addr=10.21.4.17'
cmdline 60827 /sbin/mount.nfs 10.21.4.17:/data /net/nfs1/data -o rw,vers=3

kmsg 202752.264187 'INFO: task umount.nfs:58118 blocked for more than 245 seconds.'
kmsg 202752.264237 '      Tainted: G            E      6.6.0-1.dneg.x86_64 #1'
kmsg 202752.264658 'INFO: task mount.nfs:60827 blocked for more than 122 seconds.'
kmsg 202752.264686 '      Tainted: G            E      6.6.0-1.dneg.x86_64 #1'
