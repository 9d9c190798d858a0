# Ubuntu mainline 5.17.0-rc8 with 73f9bfbe3d81 ("cifs: maintain a state machine for tcp/smb/tcon sessions")
# reverted, as Satadru Pramanik tested it for the "multiuser mount option regression" thread (linux-cifs,
# 2022-03-17): mount.smb3 3219 blocks on a mutex inside cifs_get_smb_ses (the top visible frame: /proc never
# shows the mutex frames). The thread holding the session mutex is not in the report.
# Stack: the hung-task trace of the mail (its "> > > >" quoting removed), 242 s after boot.
kernel 5.17.0-051700rc8-generic x86_64 400

mountinfo <<'MI'
24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
25 24 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
26 24 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
27 24 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1624736k,mode=755
MI

proc_form < printed/3219-mount.txt > 3219.stack

# "ppid: 1": started at boot by systemd (an fstab mount of \\cheekon\localnet, the share the same mail mounts).
thread 3219 3219 mount.smb3 D 110 112 mount 3219.stack
mount_args 3219 //cheekon/localnet /mnt/localnet smb3 'ip=192.168.1.20,unc=\\cheekon\localnet,multiuser,vers=3.1.1,sec=ntlmssp,user=satadru,uid=0,noforceuid,gid=0,noforcegid'
cmdline 3219 /sbin/mount.smb3 //cheekon/localnet /mnt/localnet -o rw,multiuser,vers=3.1.1,credentials=/etc/cifs-credentials

kmsg 242.560881 'INFO: task mount.smb3:3219 blocked for more than 120 seconds.'
