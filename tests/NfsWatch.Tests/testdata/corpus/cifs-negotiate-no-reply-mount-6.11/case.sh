# Linux 6.11-rc (Paulo Alcantara's test box, linux-cifs, 2024-09-01): mount.cifs 726 hangs in SMB2_negotiate.
# The server stopped answering after the TCP connection was up; cifsd never marked the NEGOTIATE mid for retry,
# so the mount waits in wait_for_response for ever, inside cifs_get_smb_ses (it holds the new session's setup).
# Stack: cat /proc/726/stack as the mail prints it. Fixed by 7ccc1465465d ("smb: client: fix hang in
# wait_for_response() for negproto"), merged after 6.11-rc6.
kernel 6.11.0-rc5 x86_64 7200

mountinfo <<'MI'
22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:41 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw
MI

proc_form < printed/726-mount.txt > 726.stack

# ps: "D+ 726 mount.cifs mount.cifs //192.168.2.100/scratch /mnt/1 -o vers=3.1.1,username=testuser,password=xyz,echo_interval=5"
thread 726 726 mount.cifs D 6000 6001 mount 726.stack
mount_args 726 //192.168.2.100/scratch /mnt/1 cifs 'ip=192.168.2.100,unc=\\192.168.2.100\scratch,vers=3.1.1,user=testuser,pass=xyz,echo_interval=5'
cmdline 726 mount.cifs //192.168.2.100/scratch /mnt/1 -o vers=3.1.1,username=testuser,password=xyz,echo_interval=5

# The connection's demultiplex thread, idle in its socket read (its stack is not in the report).
kthread 731 cifsd S 6000 7190
