# Ubuntu 18.04 HWE kernel 5.0.0-25-generic (James Wettenhall, Monash, linux-cifs "Re: Frequent reconnections /
# session startups?", 2019-09-04): dockerd's lstat on a CIFS path is inside open_shroot (the cached root handle)
# and, because the Open needs a reconnect, waits in smb2_reconnect for the session mutex (the top visible
# frame). The thread holding that mutex is not in the report: "The VMs become completely unresponsive".
kernel 5.0.0-25-generic x86_64 3600

mountinfo <<'MI'
25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,data=ordered
26 25 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
27 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
28 25 0:25 / /run rw,nosuid,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1638012k,mode=755
210 25 0:52 / /mnt/mytardis rw,relatime shared:141 - cifs //store.example.monash.edu/mytardis rw,vers=3.0,cache=strict,username=svc-mytardis,uid=0,noforceuid,gid=0,noforcegid,addr=10.10.20.30,file_mode=0755,dir_mode=0755,soft,nounix,serverino,mapposix,rsize=1048576,wsize=1048576,echo_interval=60,actimeo=1
MI

# The trace is a syslog paste, wrapped by the mail: join each record's continuation lines (the "?" marker of an
# unreliable frame is sometimes on the line before its frame) and drop the syslog prefix before proc_form.
# (Done here because proc_form takes one frame per line with at most a "[ seconds]" prefix.)
awk '/^[A-Z][a-z][a-z] [ 0-9][0-9] / { if (l != "") print l; l = $0; next } { l = l " " $0 } END { print l }' printed/786-lstat.txt \
  | sed -E 's/^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [^ ]+ kernel: //' | proc_form > 786.stack

thread 786 786 dockerd D 3200 3264 lstat 786.stack
path_arg 786 /mnt/mytardis/store/2019/09/04
kmsg 3384.616360 'INFO: task dockerd:786 blocked for more than 120 seconds.'
