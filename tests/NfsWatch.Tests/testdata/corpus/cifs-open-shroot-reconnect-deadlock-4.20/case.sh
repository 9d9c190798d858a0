# Prodrive's 4.20.17 (Debian userland, VMware guest), Martijn de Gouw's dump of 2019-07-06 (linux-cifs,
# "Many processes end up in uninterruptible sleep accessing cifs mounts"). An ABBA deadlock between the tcon's
# cached-root fid_mutex and the session mutex: puppet's lstat took fid_mutex in open_shroot and, because the
# Open needs a reconnect, waits in smb2_reconnect for the session mutex; the reconnect worker holds the session
# mutex (it is past smb2_reconnect+0x1d7, at +0x2d6) and waits in cifs_mark_open_files_invalid for fid_mutex.
# node_exporter's statfs waits behind the worker for the session mutex.
kernel 4.20.17-pd-4.20.y x86_64 36600

mountinfo <<'MI'
19 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
20 19 0:19 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
21 19 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
22 19 0:22 / /run rw,nosuid,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1635236k,mode=755
48 19 0:45 / /mnt/projects rw,relatime shared:27 - cifs //stor02.bk.prodrive.nl/projects rw,vers=3.0,cache=strict,username=svc-linux,domain=BK,uid=0,noforceuid,gid=0,noforcegid,addr=10.1.1.20,file_mode=0755,dir_mode=0755,soft,nounix,serverino,mapposix,rsize=1048576,wsize=1048576,echo_interval=60,actimeo=1
MI

for f in 3567-statfs 32265-kworker 3836-lstat; do proc_form < printed/$f.txt > ${f%%-*}.stack; done

# node_exporter (ppid 1): statfs of the mount point; the report's ORIG_RAX 0x89 is statfs.
thread 3567 3567 node_exporter D 35900 35905 statfs 3567.stack
path_arg 3567 /mnt/projects
# puppet (ppid 541): lstat of the mount point ("all 'action' performed on these mounts is the check if they are
# still mounted (by puppet)"); ORIG_RAX 6 is lstat.
thread 3836 3836 puppet D 35950 35951 lstat 3836.stack
path_arg 3836 /mnt/projects
kthread 32265 kworker/1:2 D 35900 35950 32265.stack
# The connection's demultiplex thread (its stack is not in this dump).
kthread 797 cifsd S 300 36590

kmsg 36247.367572 'INFO: task node_exporter:3567 blocked for more than 120 seconds.'
kmsg 36247.367954 'INFO: task kworker/1:2:32265 blocked for more than 120 seconds.'
kmsg 36247.368103 'INFO: task puppet:3836 blocked for more than 120 seconds.'
kmsg 36368.186922 'INFO: task node_exporter:3567 blocked for more than 120 seconds.'
kmsg 36368.187572 'INFO: task kworker/1:2:32265 blocked for more than 120 seconds.'
kmsg 36368.188014 'INFO: task puppet:3836 blocked for more than 120 seconds.'
kmsg 36489.006262 'INFO: task node_exporter:3567 blocked for more than 120 seconds.'
kmsg 36489.006675 'INFO: task kworker/1:2:32265 blocked for more than 120 seconds.'
kmsg 36489.007186 'INFO: task puppet:3836 blocked for more than 120 seconds.'
