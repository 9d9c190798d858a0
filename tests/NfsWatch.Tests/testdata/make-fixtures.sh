#!/usr/bin/env bash
# Regenerates the fixture proc trees under testdata/proc/. Each tree is one scenario; the stacks are
# real ones captured as cited beside each scenario. Clock ticks are 100 per second (sysconf(_SC_CLK_TCK)
# on x86_64 and arm64 Linux), so starttime 60000 is 600 s after boot.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf proc && mkdir proc

# stat TREE PID TID COMM STATE FLAGS STARTTICKS
stat_line() {
  printf '%s (%s) %s 1 %s %s 0 -1 %s 120 0 0 0 1 2 0 0 20 0 1 0 %s 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' \
    "$2" "$3" "$4" "$1" "$1" "$5" "$6"
}
# task TREE PID TID COMM STATE FLAGS STARTTICKS SYSCALL WCHAN EXEC_START_MS [STACKFILE]
task() {
  local tree=$1 pid=$2 tid=$3 comm=$4 state=$5 flags=$6 start=$7 syscall=$8 wchan=$9 exec=${10} stack=${11:-}
  local d="proc/$tree/$pid/task/$tid"
  mkdir -p "$d"
  stat_line "$pid" "$tid" "$comm" "$state" "$flags" "$start" > "$d/stat"
  printf '%s\n' "$syscall" > "$d/syscall"
  printf '%s' "$wchan" > "$d/wchan"
  printf '%s (%s, #threads: 1)\n-------------------------------------------------------------------\nse.exec_start                                :%21s\nse.vruntime                                  :           475.437215\nnr_switches                                  :                  110\n' \
    "$comm" "$tid" "$exec" > "$d/sched"
  if [ -n "$stack" ]; then cp "stacks/$stack" "$d/stack"; else printf '[<0>] do_epoll_wait+0x4d1/0x540\n[<0>] __x64_sys_epoll_wait+0x6e/0x110\n[<0>] do_syscall_64+0x5b/0x110\n[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n' > "$d/stack"; fi
}
# mem TREE PID OFFSET STRING: a NUL-terminated string at OFFSET of the process's "memory" (/proc/PID/mem),
# which NfsWatch reads with pread at the system call's argument addresses.
mem() {
  printf '%s\0' "$4" | dd of="proc/$1/$2/mem" bs=1 seek=$(($3)) conv=notrunc status=none
}
# cmdline TREE PID ARGV...: /proc/PID/cmdline, NUL-separated.
cmdline() {
  local tree=$1 pid=$2; shift 2
  printf '%s\0' "$@" > "proc/$tree/$pid/cmdline"
}
kernel() { # TREE RELEASE ARCH UPTIME
  mkdir -p "proc/$1/sys/kernel"
  printf '%s\n' "$2" > "proc/$1/sys/kernel/osrelease"
  printf '#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22)\n' > "proc/$1/sys/kernel/version"
  printf '%s\n' "$3" > "proc/$1/sys/kernel/arch"
  printf '%s 1600.00\n' "$4" > "proc/$1/uptime"
}
IDLE='232 0x4 0x7ffd2a1c1f00 0x100 0xffffffff 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46'
READ='0 0x3 0x7ffd2a1c0000 0x1000 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46'
FUTEX='202 0xc000100148 0x80 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x46f023'
# mount(2) as mount.nfs4 calls it: source, target, "nfs4", flags, data. The fixtures keep the strings at
# small addresses so that a plain file can stand for /proc/PID/mem.
MOUNT='165 0x1000 0x1100 0x1200 0x0 0x2000 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa'

# A mount.nfs4 helper hung in mount(2) against a server that never answers (stack: the VM tier,
# captured on Debian 6.1.0-56-amd64). It last ran at 658 s; uptime 1000 s: 342 s in the call.
kernel nfs4-helper 6.1.0-56-amd64 x86_64 1000.00
task nfs4-helper 1 1 systemd S 4194560 2 "$IDLE" do_epoll_wait 999000.000000
task nfs4-helper 2 2 kthreadd S 2129984 2 "-1 0x0 0x0" kthreadd 999000.000000
task nfs4-helper 2100 2100 mount.nfs4 D 4194560 60000 "$MOUNT" rpc_wait_bit_killable 658000.000000 nfs4-no-answer.txt
mem nfs4-helper 2100 0x1000 '127.0.0.2:/'
mem nfs4-helper 2100 0x1100 '/mnt/a'
mem nfs4-helper 2100 0x1200 'nfs4'
mem nfs4-helper 2100 0x2000 'vers=4.1,addr=127.0.0.2,clientaddr=127.0.0.1'
cmdline nfs4-helper 2100 /sbin/mount.nfs4 127.0.0.2:/ /mnt/a -o vers=4.1
task nfs4-helper 2099 2099 mount S 4194560 59990 '61 0xffffffff 0x7ffd1c 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46' do_wait 600100.000000

# dockerd mounts NFS volumes from one of its threads while the main thread sleeps elsewhere (tests/vm/nfsmount.c does the same).
kernel dockerd-thread 6.1.0-56-amd64 x86_64 1000.00
task dockerd-thread 3000 3000 dockerd S 4194560 5000 "$FUTEX" futex_wait_queue 999900.000000
task dockerd-thread 3000 3001 dockerd S 4194624 5001 "$IDLE" do_epoll_wait 999950.000000
task dockerd-thread 3000 3007 dockerd D 4194624 5002 "$MOUNT" nfs_wait_client_init_complete 880000.000000 nfs4-waiter.txt
# dockerd's local volume driver: device ":/export", o="addr=10.0.1.5,nfsvers=4.1", no helper.
mem dockerd-thread 3000 0x1000 ':/export'
mem dockerd-thread 3000 0x1100 '/var/lib/docker/volumes/data/_data'
mem dockerd-thread 3000 0x1200 'nfs'
mem dockerd-thread 3000 0x2000 'addr=10.0.1.5,nfsvers=4.1,password=hunter2'
printf '0::/system.slice/docker.service\n' > proc/dockerd-thread/3000/cgroup
task dockerd-thread 3000 3008 dockerd R 4194624 5002 running 0 999999.000000

# Tasks that vanish mid-scan: thread 4001 is listed but its files are gone; process 4100 has no task dir.
kernel vanished 6.18.44 x86_64 500.00
task vanished 4000 4000 worker S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
mkdir -p proc/vanished/4000/task/4001 proc/vanished/4100

# Malformed content: a stat line without its command, a syscall file of garbage. Both are scan errors.
kernel malformed 6.18.44 x86_64 500.00
task malformed 5000 5000 good S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
# (in read(2): the scanner reads the stat only of a thread that is not in an idle wait)
task malformed 5001 5001 badstat S 4194560 100 "$READ" pipe_read 499000.000000
printf '5001 badstat S 1 5001\n' > proc/malformed/5001/task/5001/stat
task malformed 5002 5002 badsyscall S 4194560 100 "$IDLE" do_epoll_wait 499000.000000
printf 'zz 0xq\n' > proc/malformed/5002/task/5002/syscall

# An arm64 host (ECS on Graviton): mount(2) is system call 40 there.
kernel arm64 6.1.0-56-arm64 aarch64 1000.00
task arm64 6000 6000 mount.nfs4 D 4194560 60000 '40 0xaaaad0c9a132a0 0xaaaad0c9a13300 0xaaaad0c9a13320 0x0 0xaaaad0c9a14000 0x0 0xffffd8e1b2c18 0xffff9d51f9fa' rpc_wait_bit_killable 700000.000000 nfs4-no-answer-arm64.txt
task arm64 6001 6001 dockerd S 4194560 60000 '165 0x1 0x2 0x3 0x4 0x5 0x6 0xffffd8e1b2c18 0xffff9d51f9fa' futex_wait_queue 700000.000000

# One thread in mount(2), with stat readable and stack not: the test makes stack files unreadable and runs
# the scan as an unprivileged user, so the refusal (EACCES) is the kernel's, not a fake.
kernel no-stack 6.18.44 x86_64 1000.00
task no-stack 7000 7000 mount.nfs4 D 4194560 60000 "$MOUNT" rpc_wait_bit_killable 658000.000000 nfs4-no-answer.txt

# A mount helper whose memory cannot be read (no mem file: the read fails) but whose command line can: the
# mount arguments come from its argv.
kernel helper-cmdline 6.1.0-56-amd64 x86_64 1000.00
task helper-cmdline 7100 7100 mount.nfs4 D 4194560 60000 "$MOUNT" rpc_wait_bit_killable 658000.000000 nfs4-no-answer.txt
cmdline helper-cmdline 7100 /sbin/mount.nfs4 fs-12345678.efs.eu-west-1.amazonaws.com:/ /mnt/efs -o nfsvers=4.1,rsize=1048576,hard,timeo=600,retrans=2,noresvport

# Head-of-line blocking (the VM tier's head-of-line scenario): mount A to a server that answers only NULL pings initialises a
# client and waits for EXCHANGE_ID; mount B to a live server waits for A's client to finish initialising.
kernel head-of-line 6.1.0-56-amd64 x86_64 1000.00
task head-of-line 8100 8100 mount.nfs4 D 4194560 30000 "$MOUNT" rpc_wait_bit_killable 700000.000000 nfs4-blocker.txt
mem head-of-line 8100 0x1000 '127.0.0.3:/'
mem head-of-line 8100 0x1100 '/mnt/a'
mem head-of-line 8100 0x1200 'nfs4'
mem head-of-line 8100 0x2000 'vers=4.1,addr=127.0.0.3,clientaddr=127.0.0.1'
task head-of-line 8200 8200 mount.nfs4 D 4194560 80000 "$MOUNT" nfs_wait_client_init_complete 800000.000000 nfs4-waiter.txt
mem head-of-line 8200 0x1000 '127.0.0.1:/srv'
mem head-of-line 8200 0x1100 '/mnt/b'
mem head-of-line 8200 0x1200 'nfs4'
mem head-of-line 8200 0x2000 'vers=4.1,addr=127.0.0.1,clientaddr=127.0.0.1'
# The waiter runs in an ECS task's container (cgroup v1 host, as Amazon Linux 2 ECS hosts are).
cat > proc/head-of-line/8200/cgroup <<'CG'
12:pids:/ecs/0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5/7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100
11:memory:/ecs/0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5/7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100
1:name=systemd:/ecs/0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5/7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100
CG
printf '0::/system.slice/run-u42.service\n' > proc/head-of-line/8100/cgroup
task head-of-line 8199 8199 mount S 4194560 79990 '61 0xffffffff 0x7ffd1c 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46' do_wait 800100.000000

# A hard mount whose server is gone: stat(2) of a file on it sleeps in D in an RPC (newfstatat, dirfd
# AT_FDCWD, a relative path under the cwd /mnt/b). Also established mounts with their mountstats.
kernel hard-mount 6.1.0-56-amd64 x86_64 1000.00
task hard-mount 9000 9000 stat D 4194560 90000 '262 0xffffff9c 0x1000 0x7ffc1000 0x0 0x0 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa' rpc_wait_bit_killable 930000.000000 nfs4-hard-stat.txt
mem hard-mount 9000 0x1000 'data/file'
ln -s /mnt/b "proc/hard-mount/9000/cwd"
cat > proc/hard-mount/9000/mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
61 22 0:52 / /mnt/b rw,relatime shared:40 - nfs4 127.0.0.1:/srv rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=10,retrans=1,sec=sys,clientaddr=127.0.0.1,local_lock=none,addr=127.0.0.1
MI
mkdir -p proc/hard-mount/self
cat > proc/hard-mount/self/mountstats <<'MS'
device rootfs mounted on / with fstype rootfs
device proc mounted on /proc with fstype proc
device 127.0.0.1:/srv mounted on /mnt/b with fstype nfs4 statvers=1.1
	opts:	rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,proto=tcp,timeo=10,retrans=1,sec=sys,clientaddr=127.0.0.1,local_lock=none
	age:	42
	xprt:	tcp 0 1 2 0 0 130 125 0 140 9 2 0 5
	per-op statistics
	        NULL: 1 1 0 44 24 0 0 0 0
	     GETATTR: 20 26 3 4000 4800 1 30 40 0
	      LOOKUP: 10 11 1 2000 2400 0 20 25 1
MS

# The c156618e1510 deadlock on a 3.10 kernel (CentOS 7 before the fix): mount 8500 created its client and waits
# for nfs_clid_init_mutex; mount 8600 holds the mutex and waits for 8500's client to finish initialising; mount
# 8700, to another server, queues behind the clients being set up. All in one network namespace.
kernel deadlock 3.10.0-514.el7.x86_64 x86_64 5000.00
task deadlock 8500 8500 mount.nfs D 4194560 200000 "$MOUNT" nfs4_discover_server_trunking 2100000.000000 c156618e1510-process1.txt
task deadlock 8600 8600 mount.nfs D 4194560 205000 "$MOUNT" nfs_wait_client_init_complete 2060000.000000 c156618e1510-process2.txt
task deadlock 8700 8700 mount.nfs D 4194560 400000 "$MOUNT" nfs_wait_client_init_complete 4100000.000000 nfs4-waiter.txt
for pid in 8500 8600 8700; do
  case $pid in 8500) server=10.0.3.7 ;; 8600) server=10.0.3.8 ;; 8700) server=10.0.4.2 ;; esac
  mem deadlock $pid 0x1000 "$server:/"
  mem deadlock $pid 0x1100 "/mnt/$pid"
  mem deadlock $pid 0x1200 'nfs4'
  mem deadlock $pid 0x2000 "vers=4.1,addr=$server,clientaddr=10.0.1.20"
  mkdir -p "proc/deadlock/$pid/ns" && ln -s 'net:[4026531992]' "proc/deadlock/$pid/ns/net"
done

# Head-of-line blocking across network namespaces: NFS clients are listed per namespace, so a mount in a
# container's own namespace (awsvpc, a Kubernetes pod) does not wait for a client being set up in the host's.
rm -rf proc/head-of-line-netns && cp -a proc/head-of-line proc/head-of-line-netns
mkdir -p proc/head-of-line-netns/8100/ns proc/head-of-line-netns/8200/ns
ln -s 'net:[4026531992]' proc/head-of-line-netns/8100/ns/net
ln -s 'net:[4026533001]' proc/head-of-line-netns/8200/ns/net

# A process killed while its close of an NFS file waits for the server: it flushes in do_exit, after its
# namespaces are released, so its own mountinfo cannot be read and its syscall file still shows the
# clock_nanosleep it was killed in (stack captured by the VM tier on Debian 6.12.117+deb13-amd64). The host's
# table (pid 1's) has one NFS mount.
kernel exiting 6.12.117+deb13-amd64 x86_64 1000.00
task exiting 1 1 systemd S 4194560 2 "$IDLE" do_epoll_wait 999000.000000
task exiting 9300 9300 sleep D 4194564 90000 '230 0x0 0x0 0x7ffc5f3a1b60 0x0 0x0 0x0 0x7ffc5f3a1b48 0x7f1e2a4c8e3a' rpc_wait_bit_killable 930000.000000 vm/6.12.117+deb13-amd64-hard-mount-exit.txt
cat > proc/exiting/1/mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
61 22 0:52 / /mnt/c rw,relatime shared:40 - nfs4 127.0.0.1:/srv/export rw,vers=4.1,rsize=131072,wsize=131072,namlen=255,hard,proto=tcp,timeo=10,retrans=1,sec=sys,clientaddr=127.0.0.1,local_lock=none,addr=127.0.0.1
MI
