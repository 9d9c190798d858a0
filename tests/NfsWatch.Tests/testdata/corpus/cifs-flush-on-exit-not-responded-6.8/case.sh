# Steve French's xfstests run on 6.8-rc5 against a Windows server (around generic/048; linux-fsdevel and
# linux-cifs, "Re: folio oops", 2024-02-20): xfs_io exits and its last close flushes a CIFS file, waiting for
# page writeback that cannot finish while reconnects to the server keep failing. The kernel log names no server
# ("\\ has not responded": an empty hostname in the message), but the host has one CIFS mount.
kernel 6.8.0-rc5 x86_64 125700

mountinfo <<'MI'
26 1 259:3 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p3 rw,errors=remount-ro
27 26 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
28 26 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
29 26 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=3270852k,mode=755
612 26 0:61 / /mnt/test rw,relatime shared:331 - cifs //winsrv22.smbtest.local/test rw,vers=3.1.1,cache=strict,username=Administrator,uid=0,noforceuid,gid=0,noforcegid,addr=192.168.122.42,file_mode=0755,dir_mode=0755,soft,nounix,serverino,mapposix,multichannel,max_channels=2,rsize=4194304,wsize=4194304,bsize=1048576,retrans=1,echo_interval=60,actimeo=1,closetimeo=1
MI

proc_form < printed/1697299-exit.txt > 1697299.stack

# xfs_io is in exit_group (ORIG_RAX 0xe7); its files are being closed, so /proc/PID/fd shows none.
thread 1697299 1697299 xfs_io D 125300 125410 exit_group 1697299.stack
cmdline 1697299 xfs_io -f -c 'pwrite 0 64k' /mnt/test/048.test
# xfstests' check script, waiting for it.
thread 1692194 1692194 bash S 120000 125300 wait4

kmsg 125520.747835 'CIFS: VFS: No writable handle in writepages rc=-9'
kmsg 125524.077358 'CIFS: VFS: \\ has not responded in 180 seconds. Reconnecting...'
kmsg 125524.077367 'CIFS: VFS: unable to get chan index for server: 0x2bf'
kmsg 125525.357444 'CIFS: VFS: \\ has not responded in 180 seconds. Reconnecting...'
kmsg 125525.357469 'CIFS: VFS: unable to get chan index for server: 0x2c0'
kmsg 125545.382363 'CIFS: VFS: \\ Send error in SessSetup = -22'
