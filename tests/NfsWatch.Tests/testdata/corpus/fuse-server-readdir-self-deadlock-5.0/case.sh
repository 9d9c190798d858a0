# go-fuse's TestReadDirStress with CAP_PARALLEL_DIROPS removed, on Fedora 29's 5.0.4 (hanwen/go-fuse PR #289,
# 2019-04-07): "Removing CAP_PARALLEL_DIROPS turns this into a deadlock in the kernel." nodefs.test is both the
# FUSE server and the client reading its own mount. 7368 is inside fuse_readdir, past fuse_lock_inode (it holds
# the directory's FUSE inode mutex, taken when parallel dirops are off) and holds the open directory's f_pos
# lock (ksys_getdents64 took it), waiting for the READDIR reply; 7395 waits for that inode mutex and 7370 for the
# f_pos lock of the same open directory. pstree shows no other thread of nodefs.test to serve /dev/fuse.
kernel 5.0.4-200.fc29.x86_64 x86_64 5000

mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/fedora-root rw,seclabel
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw,seclabel
25 22 0:40 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw,seclabel
318 25 0:58 / /tmp/TestReadDirStress531998813/mnt rw,nosuid,nodev,relatime shared:170 - fuse nodefs rw,user_id=1000,group_id=1000
MI

for f in 7368 7370 7395; do proc_form < printed/$f-getdents.txt > $f.stack; done

# The three threads of nodefs.test (pid 7368), all in getdents64 on the same open directory (fd 3).
thread 7368 7368 nodefs.test S 4000 4010 getdents64 7368.stack
thread 7368 7370 nodefs.test D 4000 4010 getdents64 7370.stack
thread 7368 7395 nodefs.test D 4000 4011 getdents64 7395.stack
fd_link 7368 3 /tmp/TestReadDirStress531998813/mnt
cwd 7368 /home/tv/go/src/github.com/hanwen/go-fuse/fuse/nodefs
