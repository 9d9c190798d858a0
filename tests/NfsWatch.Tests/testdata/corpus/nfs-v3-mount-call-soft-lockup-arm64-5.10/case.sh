# jiangheng (Huawei), netdev/linux-nfs, 8 Apr 2023, "[BUG REPORT] softlock up in sunrpc xprt_end_transmit": in an
# NFS stress test on EulerOS 5.10 (aarch64 VM, sch_netem loaded) a mount.nfs spins on CPU 0 inside the MOUNT
# call (nfs_request_mount -> nfs_mount -> rpc_call_sync -> __rpc_execute -> call_transmit) and the soft-lockup
# watchdog fires (11 s, then 22 s). The thread is running, not sleeping.
kernel 5.10.0-60.18.0.50.h734.eulerosv2r11.aarch64 aarch64 9160

mountinfo <<'MI'
22 1 253:2 / / rw,relatime shared:1 - ext4 /dev/vda2 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
MI

# The mail joins many log records on one line; split them at each "[ seconds]" before proc_form, and keep the
# call trace of the 22-second report only.
split_log() { sed -E 's/ (\[ *[0-9]+\.[0-9]+\])/\n\1/g' "$1"; }
split_log printed/416907-mount.nfs-softlockup.txt | sed -n '/Call trace:/,$p' | proc_form > 416907.stack

thread 416900 416900 mount S 9100 9101 wait4
# Running (R): it last ran now, and a running task's wchan reads 0.
thread 416907 416907 mount.nfs R 9101 9160 mount 416907.stack 0
mount_args 416907 192.168.100.10:/export/stress /mnt/nfs_stress_07 nfs 'vers=3,addr=192.168.100.10,mountproto=tcp'
cmdline 416907 /sbin/mount.nfs 192.168.100.10:/export/stress /mnt/nfs_stress_07 -o rw,vers=3

kmsg 9101.352822 "nfs: Unknown parameter 'time'"
kmsg 9101.352866 "nfs: Unknown parameter 'time'"
kmsg 9113.565686 'WARN: soft lockup - CPU#0 stuck for 11s! [mount.nfs:416907]'
kmsg 9125.566258 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [mount.nfs:416907]'
