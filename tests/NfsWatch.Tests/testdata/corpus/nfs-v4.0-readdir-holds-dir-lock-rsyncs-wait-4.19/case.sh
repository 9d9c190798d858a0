# chenxiaosong, "4.19 nfs no iterate_shared" (Kylin V10 4.19.90-23.23): rsync on the client of a NetApp-like
# NFSv4.0 server hangs. About twenty rsync processes wait for the i_rwsem of one directory (800-900 thousand
# entries): getdents64 ones in iterate_dir (down_write_killable: this NFS has no ->iterate_shared, so readdir
# takes the lock exclusively) and an lstat in lookup_slow (down_read). The holder, another rsync, is inside
# nfs_readdir waiting for a READDIR reply; over time the holder changes as READDIRs complete.
# Stacks: the hung-task report (3621271) and crash "bt" of the vmcore (3632440, 3748012).
kernel 4.19.90-23.23.v2101.ky10.x86_64 x86_64 316400

mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/klas-root rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
88 22 0:53 / /home/cdis/data rw,relatime shared:41 - nfs4 172.23.15.11:/WGPCDIAPP_FS01 rw,vers=4.0,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=172.23.8.123,local_lock=none,addr=172.23.15.11
MI

# crash's "bt" prints "#N [sp] function at address [module]" with no offsets; /proc form needs func+off/size,
# so these frames get +0x0/0x0 (lib.sh has no converter for crash output). proc_form then drops the scheduler
# and sleeping-lock frames as usual.
crash_bt() {
  sed -nE 's/^ *#[0-9]+ \[[0-9a-f]+\] ([A-Za-z0-9_.]+) at [0-9a-f]+( \[([A-Za-z0-9_]+)\])?$/\1+0x0\/0x0 \3/p' "$1" \
  | sed 's/ *$//; s/ \([A-Za-z0-9_]*\)$/ [\1]/' | proc_form
}
proc_form < printed/3621271-rsync-hung-task.txt > 3621271.stack
crash_bt printed/3632440-rsync-crash-bt.txt > 3632440.stack
crash_bt printed/3748012-rsync-crash-bt.txt > 3748012.stack

# The rsync daemon session all of them belong to (the report's ppid 152322).
thread 152322 152322 rsync S 290000 316390 read

# getdents64 on fd 9 (RDI in the crash output); lib.sh's fd calls use fd 3, so the syscall line is rewritten.
getdents_fd9() { printf '217 0x9 0x%s 0x8000 0x0 0x0 0x0 0x7fff67b2a338 0x7f612a9bd757\n' "$2" > proc/$1/task/$1/syscall; fd_link $1 9 /home/cdis/data/CDISDATA; }

thread 3632440 3632440 rsync D 300000 300010 getdents64 3632440.stack
getdents_fd9 3632440 562293813ea0
thread 3621271 3621271 rsync D 315900 315970 lstat 3621271.stack
path_arg 3621271 /home/cdis/data/CDISDATA/20230611/IMG_000812.dat

# The holder is making progress (one READDIR reply after another), so it last ran moments ago: not hung.
thread 3748012 3748012 rsync D 316000 316398 getdents64 3748012.stack
getdents_fd9 3748012 56228f6a5ac0

kmsg 316100.086897 'INFO: task rsync:3621271 blocked for more than 120 seconds.'
kmsg 316100.086950 '      Not tainted 4.19.90-23.23.v2101.ky10.x86_64 #1'
kmsg 316341.753069 'INFO: task rsync:3621271 blocked for more than 120 seconds.'
