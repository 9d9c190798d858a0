# Alan Post (prgmr.com), linux-nfs, 20 May 2019: one of the hung jobs on his 4.19.28 NFSv4 compute clients is
# exiting (it got a fatal signal) and, closing its last NFS file in task work, waits in nfs4_do_close for the
# CLOSE reply. Stack: `cat /proc/120744/stack` from the report, already in /proc form.
kernel 4.19.28 x86_64 600000

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
90 22 0:61 / /scratch rw,relatime shared:48 - nfs4 10.8.0.22:/scratch rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.8.3.40,local_lock=none,addr=10.8.0.22
MI

# The report's /proc stack is already in /proc form; only the mail's indentation and the prompt are removed.
sed -n 's/^ *\(\[<[0-9a-fx]*>\] .*\)$/\1/p' printed/120744-stack.txt > 120744.stack

# An exiting task is in no system call; its files are being released, so no fd is left to show.
thread 120744 120744 job D 500000 580000 none 120744.stack
