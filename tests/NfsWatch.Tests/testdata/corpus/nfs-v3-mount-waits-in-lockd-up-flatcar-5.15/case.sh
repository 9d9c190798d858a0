# flatcar/Flatcar#1444 (May 2024): on Flatcar 3510.2.1 `sudo mount -t nfs -overs=3 NFSSERVER:/SHARE
# /tmp/mountdir` hangs; /proc/PID/stack of the mount shows it waiting at the top of lockd_up (nlmsvc_mutex)
# under nlmclnt_init <- nfs_start_lockd. With -o nolock, or with NFSv4, the mount succeeds.
kernel 5.15.111-flatcar x86_64 7200

mountinfo <<'MI'
25 1 259:9 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p9 rw
26 25 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
27 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
28 25 0:25 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw
MI

proc_form < printed/mount.nfs-stack.txt > 4711.stack

thread 4701 4701 sudo S 6500 6500 wait4
thread 4705 4705 mount S 6500 6500 wait4
thread 4711 4711 mount.nfs D 6501 6502 mount 4711.stack
mount_args 4711 10.40.8.15:/nfs-share /tmp/mountdir nfs 'vers=3,addr=10.40.8.15'
cmdline 4711 /sbin/mount.nfs 10.40.8.15:/nfs-share /tmp/mountdir -o rw,vers=3
