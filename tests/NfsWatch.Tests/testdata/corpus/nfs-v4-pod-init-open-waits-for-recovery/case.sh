# microsoft/DLWorkspace#484 (Sep 2019): a job pod's bootstrap hangs; its init_user.sh (pid 1054 in the pod's
# pid namespace, D) is opening a file on the NFSv4 share and waits in nfs4_client_recover_expired_lease ->
# nfs4_wait_clnt_recover for the client's state recovery. The tree is the host's view of the pod.
kernel 5.0.0-25-generic x86_64 30000

mountinfo <<'MI'
24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
25 24 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
26 24 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
120 24 0:61 / /dlwsdata/storage rw,relatime shared:70 - nfs4 10.2.0.4:/data/share rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.2.0.11,local_lock=none,addr=10.2.0.4
MI

proc_form < printed/1054-init_user.sh.txt > 21054.stack

# The pod's processes as the host sees them (host pids; the report's pids 1, 10 and 1054 are the pod's own).
# They share the pod's cgroup; the container's view of the share is the bind mount at /work.
POD='0::/kubepods/besteffort/pod6b1e2c0a-cf0e-11e9-9f6c-000d3a1bd5d2/4f0d2c7b9a51e3d86c2f71a0b5de3c9e8a7d64f1c2b39e05d8a6f4c1e7b2d903'
for p in 21001 21010 21054; do
  mountinfo $p <<'MI'
400 399 0:190 / / rw,relatime master:150 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A1:/var/lib/docker/overlay2/l/A2,upperdir=/var/lib/docker/overlay2/c1/diff,workdir=/var/lib/docker/overlay2/c1/work
401 400 0:61 /jobs/7d1e /work rw,relatime - nfs4 10.2.0.4:/data/share rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.2.0.11,local_lock=none,addr=10.2.0.4
MI
done
thread 21001 21001 bash S 29000 29001 wait4
cgroup 21001 "$POD"
thread 21010 21010 bash S 29001 29002 wait4
cgroup 21010 "$POD"
thread 21054 21054 bash D 29002 29003 open 21054.stack
cgroup 21054 "$POD"
path_arg 21054 /work/.ssh/authorized_keys
cmdline 21054 bash /pod/scripts/init_user.sh
