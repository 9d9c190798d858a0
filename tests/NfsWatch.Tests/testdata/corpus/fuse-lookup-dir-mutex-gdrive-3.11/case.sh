# Ubuntu 13.10, 3.11.0-18-generic (astrada/google-drive-ocamlfuse issue #53, 2014-03-19): "After executing
# google-drive-ocamlfuse mount-point, I am getting a hung task on accessing the mount point." A GLib "pool"
# thread's path walk waits in lookup_slow for the directory's i_mutex (lookup_slow is the top visible frame: /proc
# hides the mutex frames), which another lookup in the same directory holds while it waits for the FUSE daemon.
# The holder's stack is not in the report.
kernel 3.11.0-18-generic x86_64 2400

mountinfo <<'MI'
16 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro,data=ordered
17 16 0:3 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
18 16 0:15 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
19 16 0:16 / /run rw,nosuid,noexec,relatime - tmpfs tmpfs rw,size=1609860k,mode=755
45 16 0:36 / /home/apxen/gdrive rw,nosuid,nodev,relatime - fuse.google-drive-ocamlfuse google-drive-ocamlfuse rw,user_id=1000,group_id=1000
MI

# The report's trace, as far as it was available to me, ends at filename_lookup (the next line,
# user_path_at_empty, is cut inside its offset), so the /proc form stops there too.
proc_form < printed/7954-lookup.txt > 7954.stack

# The mount's FUSE daemon (its stack is not in the report).
thread 7901 7901 google-drive-oc S 2000 2390 read
fd_link 7901 3 /dev/fuse
# pool: a worker thread of a GLib process (3442, the parent the trace names), stat-ing a path under the mount.
thread 3442 3442 nautilus S 1500 2390 futex
thread 3442 7954 pool D 2100 2159 stat 7954.stack
path_arg 3442 /home/apxen/gdrive/Documents

kmsg 2280.332961 'INFO: task pool:7954 blocked for more than 120 seconds.'
