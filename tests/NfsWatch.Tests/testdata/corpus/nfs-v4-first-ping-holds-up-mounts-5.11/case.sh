# Michael Wakabayashi, linux-nfs, 20 May 2021: on Ubuntu 21.04 (5.11) a mount.nfs to a server that does not
# answer (10.1.1.1) waits in the first RPC ping under nfs4_init_client; a mount.nfs to a working server
# (10.188.76.67) queues behind it in nfs_wait_client_init_complete. Stacks from "echo t > /proc/sysrq-trigger".
kernel 5.11.0-17-generic x86_64 5000

mountinfo <<'MI'
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:23 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw
MI

# The report prints "dmesg -T" times ("[Thu May 20 08:53:35 2021] "), which proc_form does not strip.
dmesg_t() { sed -E 's/^\[[A-Z][a-z]{2} [^]]*\] //' "$1"; }

dmesg_t printed/13903-mount.nfs-10.1.1.1.txt | proc_form > 13903.stack
dmesg_t printed/13910-mount.nfs-10.188.76.67.txt | proc_form > 13910.stack

# strace, which ran each mount.nfs (the report: "time strace mount.nfs ..."), waits in wait4.
thread 13900 13900 strace S 4590 4990 wait4
thread 13907 13907 strace S 4640 4990 wait4

thread 13903 13903 mount.nfs D 4600 4601 mount 13903.stack
mount_args 13903 10.1.1.1:/nopath /tmp/mnt.dead nfs 'vers=4.2,addr=10.1.1.1,clientaddr=10.188.77.21'
cmdline 13903 mount.nfs 10.1.1.1:/nopath /tmp/mnt.dead

thread 13910 13910 mount.nfs D 4650 4651 mount 13910.stack
mount_args 13910 10.188.76.67:/ /tmp/mnt.alive nfs 'vers=4.2,addr=10.188.76.67,clientaddr=10.188.77.21'
cmdline 13910 mount.nfs 10.188.76.67:/ /tmp/mnt.alive

kmsg 4998 'sysrq: Show State'
