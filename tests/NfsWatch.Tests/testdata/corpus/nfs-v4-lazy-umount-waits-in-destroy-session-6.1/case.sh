# Wang Yugui, linux-nfs, 11-12 Jan 2023: on 6.1.5-rc1 (and 6.2.0-rc3), with two NFSv4 mounts of the local
# nfs-server (127.0.0.1), stopping nfs-server and then `umount -l` of a mount hangs: umount2(MNT_DETACH) drops the
# last reference, cleanup_mnt -> nfs_kill_super -> nfs4_free_client -> nfs41_shutdown_client sends DESTROY_SESSION
# to the stopped server and waits for the reply. Stack: sysrq-w.
kernel 6.1.5-rc1 x86_64 13500

# The lazily unmounted /nfs/scratch is gone from the table; /nfs/test, of the same server, is still there.
mountinfo <<'MI'
22 1 8:3 / / rw,relatime shared:1 - xfs /dev/sda3 rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
80 22 8:1 / /mnt/test rw,relatime shared:40 - xfs /dev/sda1 rw,attr2,inode64,noquota
81 22 8:2 / /mnt/scratch rw,relatime shared:41 - xfs /dev/sda2 rw,attr2,inode64,noquota
90 22 0:58 / /nfs/test rw,relatime shared:46 - nfs4 127.0.0.1:/mnt/test rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=127.0.0.1,local_lock=none,addr=127.0.0.1
MI

proc_form < printed/3542745-umount.nfs4.txt > 3542745.stack

thread 3542744 3542744 umount S 13300 13300 wait4
cmdline 3542744 umount -l /nfs/scratch
thread 3542745 3542745 umount.nfs4 D 13301 13302 umount2 3542745.stack
# umount2(path, MNT_DETACH): the report's RSI is 2; lib.sh writes flags 0, so the line is rewritten.
printf '166 0x1100 0x2 0x3 0x0 0x0 0x0 0x7ffe670f6018 0x7fc32f839e9b\n' > proc/3542745/task/3542745/syscall
umount_arg 3542745 /nfs/scratch
cmdline 3542745 /sbin/umount.nfs4 /nfs/scratch -l

kmsg 13493.955032 'sysrq: Show Blocked State'
