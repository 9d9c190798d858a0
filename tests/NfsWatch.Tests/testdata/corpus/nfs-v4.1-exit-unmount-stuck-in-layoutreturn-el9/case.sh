# Ben Roberts (GSA Capital), linux-nfs, 17 Apr 2026, in the thread of his "[PATCH v2] pNFS: deadlock in
# pnfs_send_layoutreturn": on a modified EL9 kernel under load and memory pressure, processes hang for good
# while exiting: the last reference to a pNFS (NFSv4.1+) mount is dropped in do_exit, nfs_kill_super evicts the
# inodes and nfs4_evict_inode -> _pnfs_return_layout waits for a LAYOUTRETURN that never completes.
kernel 5.14.0-611.9.1.el9_7.x86_64 x86_64 86400

# The mount is already gone from the table (its last reference is being dropped).
mountinfo <<'MI'
22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,attr2,inode64,noquota
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
MI

proc_form < printed/deadlocked-process.txt > 734211.stack

# A thread in do_exit is in no system call any more (/proc shows "-1 SP PC").
thread 734211 734211 worker D 80000 80100 none 734211.stack
