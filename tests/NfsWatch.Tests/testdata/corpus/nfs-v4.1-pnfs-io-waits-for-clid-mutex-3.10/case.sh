# nfs-ganesha/nfs-ganesha#148 (CentOS 7.2, 3.10): a benchmark writer on a pNFS (NFSv4.1) mount hangs in D, its
# stack ending in mutex_lock under nfs4_discover_server_trunking: a pNFS data-server connection goes through
# nfs4_set_ds_client -> nfs_get_client -> nfs4_init_client and waits for the global nfs_clid_init_mutex.
kernel 3.10.0-327.36.3.el7.x86_64 x86_64 1400

mountinfo <<'MI'
18 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw,attr2,inode64,noquota
19 18 0:3 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
20 18 0:18 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
44 18 0:40 / /mnt/gluster rw,relatime shared:27 - nfs4 10.10.1.20:/gv0 rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.10.1.31,local_lock=none,addr=10.10.1.20
MI

# The report's excerpt ends in the middle of the frame's name ("nfs4_discover_"); the reporter names the function
# in the same post ("nfs_discover_server_trunking is usually called during a mount operation"). The frame is
# completed to nfs4_discover_server_trunking, without its offsets, and given the nfsv4 module it belongs to.
sed 's/nfs4_discover_$/nfs4_discover_server_trunking+0x0\/0x0 [nfsv4]/' printed/4037-qbuckets2.txt | proc_form > 4037.stack

thread 3994 3994 qbuckets2 S 1200 1390 futex
thread 3994 4037 qbuckets2 D 1200 1206 write 4037.stack
fd_link 3994 3 /mnt/gluster/bench/file.17
kmsg 1326.459212 'INFO: task qbuckets2:4037 blocked for more than 120 seconds.'
