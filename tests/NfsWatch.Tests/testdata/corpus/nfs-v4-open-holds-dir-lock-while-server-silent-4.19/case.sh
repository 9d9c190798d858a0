# chenxiaosong, "nfs hung task" (4.19, reproduced with a server that never answers OPEN): one machine is both
# server and client (mount -t nfs localhost:/ /mnt). `echo something > /mnt/file &` (575) sends OPEN from
# lookup_open holding /mnt's i_rwsem for writing and waits for the reply; a second `echo ... > /mnt/file &` (576)
# waits for that rwsem in do_last and is reported as a hung task.
kernel 4.19.325+ x86_64 250

mountinfo <<'MI'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
45 22 0:40 / /mnt rw,relatime shared:26 - nfs4 localhost:/ rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp6,timeo=600,retrans=2,sec=sys,clientaddr=::1,local_lock=none,addr=::1
MI

proc_form < printed/575-bash.txt > 575.stack
proc_form < printed/576-bash.txt > 576.stack

# The interactive shell that started both background jobs.
thread 515 515 bash S 100 240 wait4
thread 575 575 bash D 120 121 openat 575.stack
path_arg 575 /mnt/file
thread 576 576 bash D 122 123 openat 576.stack
path_arg 576 /mnt/file

kmsg 246.880095 'INFO: task bash:576 blocked for more than 120 seconds.'
kmsg 246.882393 '      Not tainted 4.19.325+ #3'
