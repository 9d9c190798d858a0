# Nick Alcock, linux-nfs, 3 Jan 2021 (quoted by J. Bruce Fields, 23 Feb 2021): installing a game with Steam
# from an NFSv4.2 mount (client and server on 5.10.4) hangs the client for good: a tee writing to the share waits
# for a locked page request, and three threads of the 32-bit Steam client wait for GETATTR replies (access,
# lstat64, openat). "The client is hung waiting indefinitely for the server to reply". Stacks: sysrq-w.
kernel 5.10.4 x86_64 330

mountinfo <<'MI'
22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
60 22 0:50 / /home/nix rw,relatime shared:40 - nfs4 192.168.16.8:/home/.loom.srvr.nix rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.168.16.21,local_lock=none,addr=192.168.16.8
61 60 0:51 / /home/nix/.steam rw,relatime shared:41 - nfs4 192.168.16.8:/pkg/non-free/steam rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.168.16.21,local_lock=none,addr=192.168.16.8
MI

for f in printed/*.txt; do t=${f#printed/}; proc_form < "$f" > "${t%%-*}.stack"; done

# tee (64-bit) writes Steam's output to the share.
thread 1173 1173 bash S 90 200 wait4
thread 1176 1176 tee D 100 190 write 1176.stack
fd_link 1176 3 /home/nix/.steam/steam/logs/bootstrap_log.txt

# The Steam client is a 32-bit process: its blocked threads are in ia32 system calls, and /proc/PID/syscall
# shows the ia32 numbers (access 33, lstat64 196, openat 295) with the 32-bit argument registers. lib.sh only
# knows x86_64 numbers, so the lines are rewritten here (path arguments moved to the fixture's 0x1000).
thread 1562 1562 steam S 120 329 futex
thread 1562 1801 CIPCServer::Thr D 125 192 access 1801.stack
printf '33 0x1000 0x4 0xf7ab3e1c 0x5754d9e0 0xeb763bc8 0xf78a91c0 0xeb763b28 0xf7ee6549\n' > proc/1562/task/1801/syscall
thread 1562 1810 CFileWriterThre D 125 193 lstat 1810.stack
printf '196 0x1000 0xeb561e70 0xf7ab3e1c 0xeb561e70 0xc521bf60 0x0 0xeb561be8 0xf7ee6549\n' > proc/1562/task/1810/syscall
thread 1562 1924 'Steam - DirWatc' D 126 194 openat 1924.stack
printf '295 0xffffff9c 0x1000 0x98800 0x0 0xf7ab3e1c 0x0 0x8c8fbcb0 0xf7ee6549\n' > proc/1562/task/1924/syscall
# All three threads' path arguments share the process's memory; one path stands for them.
path_arg 1562 /home/nix/.steam/steam/steamapps/common
cmdline 1562 /home/nix/.steam/ubuntu12_32/steam

kmsg 322.843962 'sysrq: Show Blocked State'
