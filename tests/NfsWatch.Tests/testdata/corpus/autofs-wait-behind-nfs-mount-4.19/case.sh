# A 4.19.28 NFSv4 compute node (Alan Post, prgmr.com, linux-nfs "User process NFS write hang followed by
# automount hang requiring reboot", 2019-05-20): a job's NFS writes hang, sync(2) calls then hang holding
# superblocks' s_umount for read, and "eventually the same thing happens to automount/mount.nfs": the mount.nfs
# that automount started for a map entry crosses into an NFSv4 submount and waits in grab_super for the
# s_umount of an NFS superblock, so automount never answers, and every path walk into that autofs waits in
# autofs_wait. Stacks: the sysrq-w attachment of the mail (the hung sync and job tasks are left out of the tree).
kernel 4.19.28 x86_64 958800

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,mode=755
40 22 0:38 / /home rw,relatime shared:26 - autofs /etc/auto.home rw,fd=6,pgrp=1650,timeout=300,minproto=5,maxproto=5,indirect,pipe_ino=21877
41 22 0:39 / /scratch rw,relatime shared:27 - autofs /etc/auto.scratch rw,fd=12,pgrp=1650,timeout=300,minproto=5,maxproto=5,indirect,pipe_ino=21880
130 41 0:71 / /scratch/proj7 rw,relatime shared:88 - nfs4 10.0.0.12:/scratch/proj7 rw,vers=4.0,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.5.21,local_lock=none,addr=10.0.0.12
MI

for f in 47537-sbatchd 47549-mount.nfs 50840-eexec 50922-eexec; do proc_form < printed/$f.txt > ${f%%-*}.stack; done

# automount, the daemon of both autofs mounts (pgrp=1650), waiting for the mount it started (no stack in the
# report: it is not in D state).
thread 1650 1650 automount S 100 955000 futex
# The mount(8) automount ran for /home/alice, waiting for its mount.nfs.
thread 47548 47548 mount S 955000 955001 wait4
thread 47549 47549 mount.nfs D 955000 955002 mount 47549.stack
mount_args 47549 10.0.0.11:/home/alice /home/alice nfs 'vers=4.2,addr=10.0.0.11,clientaddr=10.0.5.21'
cmdline 47549 /sbin/mount.nfs 10.0.0.11:/home/alice /home/alice -o rw,nfsvers=4

# ORIG_RAX 0x50: chdir.
thread 47537 47537 sbatchd D 955100 955101 chdir 47537.stack
path_arg 47537 /home/alice/jobs/381205
# ORIG_RAX 4: stat.
thread 50840 50840 eexec D 955400 955401 stat 50840.stack
path_arg 50840 /home/bob/.bashrc
thread 50922 50922 eexec D 955500 955501 stat 50922.stack
path_arg 50922 /home/carol/bin/run.sh

kmsg 958790.055075 'sysrq: SysRq : Show Blocked State'
