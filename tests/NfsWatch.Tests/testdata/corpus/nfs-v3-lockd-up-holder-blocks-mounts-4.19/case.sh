# Kylin V10 (4.19.90-24.4.v2101.ky10): an NFSv3 mount without nolock hangs. Mount 17310 holds nlmsvc_mutex in
# lockd_up (lockd_up_net failed and it sleeps in lockd_unregister_notifiers); mounts 64997 and 65384 wait for
# that mutex (nlmclnt_init -> lockd_up, shown with nlmclnt_init on top); umount 23462 waits in nfs_free_server.
# Stacks: cat /proc/PID/task/TID/stack, as chenxiaosong's write-up prints them.
kernel 4.19.90-24.4.v2101.ky10.x86_64 x86_64 90000

mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/klas-root rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:41 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw
MI

# The write-up's pastes keep some trailing blanks, which /proc/PID/stack never prints.
for f in 17310 64997 65384 23462; do
  sed 's/[[:space:]]*$//' printed/$f-*.txt | proc_form > $f.stack
done

# Each mount.nfs was started by mount(8), which waits for it.
thread 17300 17300 mount S 60000 89990 wait4
thread 17310 17310 mount.nfs D 60001 60003 mount 17310.stack
mount_args 17310 192.168.53.225:/tmp/s_test /mnt nfs 'vers=3,addr=192.168.53.225'
cmdline 17310 /sbin/mount.nfs 192.168.53.225:/tmp/s_test /mnt -o rw,vers=3

thread 64990 64990 mount S 85000 89990 wait4
thread 64997 64997 mount.nfs D 85001 85002 mount 64997.stack
mount_args 64997 192.168.53.225:/tmp/s_test /mnt nfs 'vers=3,addr=192.168.53.225'
cmdline 64997 /sbin/mount.nfs 192.168.53.225:/tmp/s_test /mnt -o rw,vers=3

thread 65380 65380 mount S 85100 89990 wait4
thread 65384 65384 mount.nfs D 85101 85102 mount 65384.stack
mount_args 65384 192.168.53.225:/tmp/s_test /mnt nfs 'vers=3,addr=192.168.53.225'
cmdline 65384 /sbin/mount.nfs 192.168.53.225:/tmp/s_test /mnt -o rw,vers=3

# umount2 has already detached the mount (so the table no longer lists it) and runs cleanup_mnt as task work
# on its way back to user space.
thread 23462 23462 umount.nfs D 62000 62001 umount2 23462.stack
umount_arg 23462 /mnt
cmdline 23462 /sbin/umount.nfs /mnt
