# Alan Post, linux-nfs, 18 Jun 2019 (4.19.44): a job exiting (exit_group -> close -> nfs_file_fsync) waits in
# wait_on_commit for a COMMIT reply, and a writeback kworker waits on the same commit; sync hangs after them.
# Blocking the traffic long enough for the TCP connection to drop, then letting it reconnect, unblocks them.
# Stacks: /proc/PID/stack as quoted in Benjamin Coddington's reply (already /proc form).
kernel 4.19.44 x86_64 400000

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
95 22 0:53 / /scratch rw,relatime shared:50 - nfs4 10.8.0.23:/scratch rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.8.3.52,local_lock=none,addr=10.8.0.23
MI

# Copy the quoted /proc lines as they are (strip the mail's "> " quoting and indentation).
for f in exiting-job kworker; do sed -n 's/^> *\(\[<[0-9a-fx]*>\] .*\)$/\1/p' printed/$f.txt > $f.stack; done

thread 311207 311207 job D 380000 390000 exit_group exiting-job.stack
# The writeback worker flushing the NFS superblock's bdi (0:53).
kthread 211 kworker/u16:3+flush-0:53 D 1000 390001 kworker.stack
