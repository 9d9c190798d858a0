# Robert Milkowski, linux-nfs, 8 Jun 2020: CentOS 7 (3.10.0-693.11.6.el7) NFSv4.0/krb5 clients lose all I/O to
# a NetApp after an ONTAP failover. The client loops on RENEW -> NFS4ERR_STALE_CLIENTID because the state manager
# ("10.200.0.10-man") is stuck in nfs4_establish_lease -> nfs4_drain_slot_tbl and never runs the recovery; df
# waits in the GETATTR it sent. Killing the manager (kill -9 5424) released every stuck process.
# Stacks: sysrq-t in /var/log/messages, as the mail wraps them.
kernel 3.10.0-693.11.6.el7.x86_64 x86_64 10658520

mountinfo <<'MI'
18 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw,attr2,inode64,noquota
19 18 0:3 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
20 18 0:18 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
61 18 0:41 / /nfs/badnfssrv1 rw,relatime shared:33 - nfs4 10.200.0.10:/vol/projects rw,vers=4.0,rsize=65536,wsize=65536,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=krb5,clientaddr=10.100.139.63,local_lock=none,addr=10.200.0.10
62 18 0:42 / /nfs/nfsserv1 rw,relatime shared:34 - nfs4 10.200.0.11:/vol/home rw,vers=4.0,rsize=65536,wsize=65536,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=krb5,clientaddr=10.100.139.63,local_lock=none,addr=10.200.0.11
MI

# The mail's syslog lines carry a "Jun  6 19:31:35 client kernel: " prefix and are wrapped after each
# "[<address>]" (and its "?"); join them again before proc_form.
unwrap() {
  sed -E 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [^ ]+ kernel: //' "$1" \
  | awk '/\[<[0-9a-f]+>\]( \?)?$/ { held = $0; next } held != "" { print held " " $0; held = ""; next } { print }'
}
unwrap printed/20131-df.txt | proc_form > 20131.stack
unwrap printed/5424-manager.txt | proc_form > 5424.stack
unwrap printed/26378-nfsv4.0-svc.txt | proc_form > 26378.stack

thread 19284 19284 bash S 10640000 10651000 wait4
thread 20131 20131 df D 10651000 10651001 stat 20131.stack
path_arg 20131 /nfs/badnfssrv1
cmdline 20131 df

# The manager kthread's comm is "<server address>-manager" cut to 15 characters.
kthread 5424 10.200.0.10-man S 10640000 10640012 5424.stack
# The NFSv4.0 callback service thread, idle in svc_recv: context, not hung.
kthread 26378 nfsv4.0-svc S 2000 10658500 26378.stack
