# Axis 6.1.36 on 32-bit ARM (i.MX6 SoloX), Rickard Andersson's test case (linux-cifs, 2023-10-27): mount a
# share with echo_interval=1, SIGSTOP smbd, then umount. umount(8) stats the mount point first; that statx blocks
# in smb2_reconnect on the session mutex, which the reconnect worker (smb2_reconnect_server on cifsiod) holds
# while it waits in wait_for_response for the NEGOTIATE reply the stopped server never sends.
kernel 6.1.36-axis9-devel armv7l 3000

mountinfo <<'MI'
15 1 179:2 / / ro,relatime shared:1 - ext4 /dev/mmcblk0p2 ro
16 15 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
17 15 0:6 / /sys rw,nosuid,nodev,noexec,relatime shared:3 - sysfs sysfs rw
18 15 0:21 / /tmp rw,nosuid,nodev shared:4 - tmpfs tmpfs rw
40 18 0:44 / /tmp/y ro,relatime shared:21 - cifs //192.168.0.1/test ro,vers=2.1,sec=none,cache=strict,uid=0,noforceuid,gid=0,noforcegid,addr=192.168.0.1,file_mode=0755,dir_mode=0755,soft,nounix,serverino,mapposix,rsize=65536,wsize=65536,bsize=1048576,echo_interval=1,actimeo=1,closetimeo=1
MI

# The umount trace uses ARM's "caller from callee+off/size" unwinder format, which proc_form does not parse:
# the frame /proc/PID/stack would list is the part after " from " (the return address in the caller).
# (Done here because lib.sh has no converter for the ARM format.)
sed -E 's/^.* from //' printed/1470-umount.txt | proc_form > 1470.stack
proc_form < printed/kworker-holder.txt > kworker.stack

thread 1468 1468 sh S 2000 2100 wait4
thread 1470 1470 umount D 2500 2502 statx 1470.stack
path_arg 1470 /tmp/y
cmdline 1470 umount /tmp/y
# lib.sh numbers system calls for x86_64 and the generic table (arm64); 32-bit ARM (EABI) numbers statx 397
# and wait4 114 (arch/arm/tools/syscall.tbl).
sed -i 's/^[0-9]* /397 /' proc/1470/task/1470/syscall
sed -i 's/^[0-9]* /114 /' proc/1468/task/1468/syscall

kthread 220 kworker/0:3 D 2400 2401 kworker.stack
# cifsd of the connection: idle in its socket read (its stack is not in the report).
kthread 212 cifsd S 2300 2990

kmsg 2625 'INFO: task umount:1470 blocked for more than 122 seconds.'
