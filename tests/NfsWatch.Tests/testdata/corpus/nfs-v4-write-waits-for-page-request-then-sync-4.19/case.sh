# Alan Post, linux-nfs, 20 May 2019 (Linux 4.19.28, NFSv4): the most common hung job is a write() waiting in
# nfs_lock_and_join_requests for a page request that is under I/O, and "after the above D state process, sync will
# also hang" waiting for the same writeback. Stacks: `cat /proc/PID/stack` from the report, already /proc form
# (this kernel shows io_schedule on top).
kernel 4.19.28 x86_64 700000

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
90 22 0:61 / /scratch rw,relatime shared:48 - nfs4 10.8.0.24:/scratch rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.8.3.61,local_lock=none,addr=10.8.0.24
MI

for p in 197520 164581; do sed -n 's/^ *\(\[<[0-9a-fx]*>\] .*\)$/\1/p' printed/$p-*.txt > $p.stack; done

thread 197500 197500 bash S 600000 690000 wait4
thread 197520 197520 job D 600010 640000 write 197520.stack
fd_link 197520 3 /scratch/bob/sim42/state.bin
thread 164581 164581 sync D 650000 650001 sync 164581.stack
