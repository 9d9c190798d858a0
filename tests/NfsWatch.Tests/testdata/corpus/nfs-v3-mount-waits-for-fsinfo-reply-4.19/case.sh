# chenxiaosong, "nfsv3 mount hung in __rpc_execute" (Kylin V10, 4.19): `mount -t nfs -o vers=3` hangs; the
# mount.nfs thread waits for the reply to the FSINFO call that nfs_create_server -> nfs_probe_fsinfo makes
# after MOUNT has succeeded. Stack: the write-up's dump of every task's /proc/PID/task/TID/stack.
kernel 4.19.90-23.8.v2101.ky10.x86_64 x86_64 40000

mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/klas-root rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
MI

proc_form < printed/351772-mount.nfs.txt > 351772.stack

# ps in the write-up: "mount -t nfs -o vers=3 ${server_ip}:/svr/export /root/test1" (S+) and its
# "/sbin/mount.nfs ${server_ip}:/svr/export /root/test1 -o rw,vers=3" (D+).
thread 351771 351771 mount S 39000 39001 wait4
thread 351772 351772 mount.nfs D 39001 39003 mount 351772.stack
mount_args 351772 192.168.122.20:/svr/export /root/test1 nfs 'vers=3,addr=192.168.122.20,mountvers=3,mountport=20048,mountproto=udp'
cmdline 351772 /sbin/mount.nfs 192.168.122.20:/svr/export /root/test1 -o rw,vers=3
