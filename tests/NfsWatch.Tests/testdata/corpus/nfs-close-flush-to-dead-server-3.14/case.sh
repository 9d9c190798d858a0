# Ben Greear, linux-nfs/linux-mm, 31 Jul 2014: processes writing to an NFS server that has crashed or been powered
# down are stuck for good; kill -9 does not help and umount -f says "device is busy". The stack (3.14.4+) is
# close(2) -> nfs_file_flush -> vfs_fsync -> filemap_write_and_wait_range, waiting for writeback of pages
# that can never reach the server.
kernel 3.14.4+ x86_64 80000

mountinfo <<'MI'
18 1 8:3 / / rw,relatime shared:1 - ext4 /dev/sda3 rw,data=ordered
19 18 0:3 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
20 18 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
40 18 0:35 / /mnt/foo rw,relatime shared:22 - nfs 192.168.100.20:/export rw,vers=3,rsize=65536,wsize=65536,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=192.168.100.20,mountvers=3,mountport=20048,mountproto=udp,local_lock=none,addr=192.168.100.20
MI

proc_form < printed/3805-stack.txt > 3805.stack

thread 3800 3800 bash S 60000 79990 wait4
thread 3805 3805 writer D 60010 61000 close 3805.stack
fd_link 3805 3 /mnt/foo/data.bin
