# Alan Post (prgmr.com), linux-nfs, 20 May 2019: on ~300 NFSv4 compute clients (Linux 4.19.28) a job's writes to
# an NFS server never complete (here: close -> nfs_file_fsync waiting for writeback); then sync hangs waiting for
# the same writeback, later syncs queue behind it, and finally automount's mount.nfs hangs in grab_super while
# crossing into an NFSv4 submount. Stacks: the sysrq-w dump attached to the report (one occurrence).
kernel 4.19.28 x86_64 958800

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
51 22 0:46 / /home rw,relatime shared:30 - autofs auto.home rw,fd=7,pgrp=1822,timeout=300,minproto=5,maxproto=5,indirect,pipe_ino=24081
90 22 0:61 / /scratch rw,relatime shared:48 - nfs4 10.8.0.21:/scratch rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.8.3.17,local_lock=none,addr=10.8.0.21
MI

for f in printed/sysrq-w-*.txt; do
  t=${f#printed/sysrq-w-}; t=${t%%-*}
  proc_form < "$f" > "$t.stack"
done

thread 144220 144220 job1 D 900000 940100 close 144220.stack
fd_link 144220 3 /scratch/alice/run17/out.dat

# sync(2) takes no arguments; lib.sh knows it by name.
thread 172932 172932 sync D 950000 950002 sync 172932.stack
thread 187416 187416 sync D 952000 952001 sync 187416.stack

# automount (1822) ran mount(8) -> mount.nfs for /home/alice.
thread 1822 1822 automount S 300 958790 futex
thread 47548 47548 mount S 957000 957000 wait4
thread 47549 47549 mount.nfs D 957001 957003 mount 47549.stack
mount_args 47549 10.8.0.21:/home/alice /home/alice nfs 'vers=4.2,addr=10.8.0.21,clientaddr=10.8.3.17'
cmdline 47549 /sbin/mount.nfs 10.8.0.21:/home/alice /home/alice -o rw,nfsvers=4

kmsg 958790.055075 'sysrq: SysRq : Show Blocked State'
