# Olga Kornievskaia, linux-nfs, 22 Sep 2023, testing Trond Myklebust's "[PATCH 2/2] NFSv4: Fix a state manager
# thread deadlock regression" with xfstests against an ONTAP server on arm64: swapoff (generic/472) opens the
# swap file and waits in nfs4_wait_clnt_recover, while the state manager kthread sits idle in
# nfs4_run_state_manager (the swap-mode wait for NFS4CLNT_RUN_MANAGER) and never runs the recovery.
kernel 6.6.0-rc2 aarch64 3000

mountinfo <<'MI'
22 1 254:2 / / rw,relatime shared:1 - xfs /dev/vda2 rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
61 22 0:52 / /mnt/scratch rw,relatime shared:33 - nfs4 10.6.4.2:/xfstests_scratch rw,vers=4.1,rsize=65536,wsize=65536,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.6.4.10,local_lock=none,addr=10.6.4.2
MI

proc_form < printed/3724-manager.txt > 3724.stack
proc_form < printed/3725-swapoff.txt > 3725.stack

# The manager kthread is named "<server address>-manager", cut to 15 characters as comm always is.
kthread 3724 10.6.4.2-manage S 2400 2401 3724.stack

# swapoff(2) is not among lib.sh's system calls: the thread is made as openat (same path argument at 0x1000),
# then its syscall file is rewritten with swapoff's number on arm64 (225, include/uapi/asm-generic/unistd.h).
thread 3725 3725 swapoff D 2405 2406 openat 3725.stack
printf '225 0x1000 0x0 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46\n' > proc/3725/task/3725/syscall
path_arg 3725 /mnt/scratch/swap
cmdline 3725 swapoff /mnt/scratch/swap

# xfstests' shell, waiting for swapoff.
thread 3600 3600 bash S 2300 2405 wait4
