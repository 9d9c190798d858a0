# go-fuse test runs on Kirill Smelkov's Debian box (hanwen/go-fuse issue #261, 2019-01-31): two stuck test
# processes, each in chdir, revalidating a dentry on its test's FUSE mount and waiting for the LOOKUP reply.
# "Even kill -9 does not have the effect. This for sure tells that the kernel is in some uninterruptible wait."
kernel 4.19.0-1-amd64 x86_64 80000

mountinfo <<'MI'
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro
23 22 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:47 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw
402 25 0:61 / /tmp/go-fuse-test093112/mnt rw,nosuid,nodev,relatime shared:230 - fuse.go-fuse-test loopback rw,user_id=1000,group_id=1000
417 25 0:63 / /tmp/go-fuse-test571406/mnt rw,nosuid,nodev,relatime shared:238 - fuse.go-fuse-test loopback rw,user_id=1000,group_id=1000
MI

proc_form < printed/6319-chdir.txt > 6319.stack
# Only the top nine frames of the second paste were available to me (the copy I read breaks off inside the
# ksys_chdir line); the bottom entry frames are left out rather than copied from the first paste.
proc_form < printed/12927-chdir.txt > 12927.stack

thread 6319 6319 fuse.test D 10000 10020 chdir 6319.stack
path_arg 6319 /tmp/go-fuse-test093112/mnt/subdir
thread 12927 12927 nodefs.test D 40000 40030 chdir 12927.stack
path_arg 12927 /tmp/go-fuse-test571406/mnt/subdir
