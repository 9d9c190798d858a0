# nfs-ganesha/nfs-ganesha#1327, comment of 3 Oct 2025 (dvalters): RHEL 9.6 clients (5.14.0-570.37.1.el9_6)
# of a Ganesha 4.3 server; two scripts appending to the same file every second, and eventually one of them stays
# in D for good, inside the NFSv4 OPEN path in nfs_set_open_stateid_locked (waiting to apply its OPEN stateid in
# sequence). Stack: cat /proc/PID/stack as the issue prints it (the copy used here ends at do_filp_open).
kernel 5.14.0-570.37.1.el9_6.x86_64 x86_64 20000

mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,attr2,inode64,logbufs=8,logbsize=32k,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
70 22 0:55 / /nfsmount rw,relatime shared:44 - nfs4 10.20.30.40:/export rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.20.30.51,local_lock=none,addr=10.20.30.40
MI

proc_form < printed/3734491-bash.txt > 3734491.stack

# ps in the issue: 3734471 (S) and 3734491 (D), both "bash ./decproc.sh", in pts/7.
thread 3734471 3734471 bash S 13200 19999 wait4
cmdline 3734471 bash ./decproc.sh
thread 3734491 3734491 bash D 13260 18000 openat 3734491.stack
path_arg 3734491 /nfsmount/testfile.txt
cmdline 3734491 bash ./decproc.sh
