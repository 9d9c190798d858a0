using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// The default signatures (src/NfsWatch.Core/signatures.json) against real kernel stacks, each written as the
/// kernel printed it, innermost frame first, function names only, with its source.
/// </summary>
public class DefaultSignaturesTests
{
    private static readonly KernelVersion Debian12 = KernelVersion.TryParse("6.1.0-56-amd64")!;

    // flatcar/Flatcar#1444 "NFSv3 mount hangs in 3510.2.1 NFSv4.1 works fine": /proc/PID/stack of
    // `mount -t nfs -overs=3 NFSSERVER:/SHARE /tmp/mountdir` on Flatcar 3510.2.1 (works with -o nolock).
    private static readonly string[] FlatcarLockd =
        ["lockd_up", "nlmclnt_init", "nfs_start_lockd", "nfs_init_server.isra.0", "nfs_create_server", "nfs3_create_server",
         "nfs_try_get_tree", "vfs_get_tree", "path_mount", "__x64_sys_mount", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"];

    // nfs-ganesha/nfs-ganesha#148 "CentOS 7.2 Client Hangs with pNFS + Gluster 3.8" (3.10 kernel), hung-task
    // report: schedule_preempt_disabled, __mutex_lock_slowpath, "? _raw_spin_unlock_bh" (printed with '?', an
    // unreliable frame, kept here as printed), mutex_lock, nfs4_discover_server_trunking. The public excerpt is cut
    // after nfs4_discover_server_trunking: the frames after it are completed (abbreviated) from the 3.10 mount
    // call chain. Note: the reporting task there was a benchmark writer ("qbuckets2"), not mount(2).
    private static readonly string[] GaneshaMutexWaiter =
        ["schedule_preempt_disabled", "__mutex_lock_slowpath", "_raw_spin_unlock_bh", "mutex_lock", "nfs4_discover_server_trunking",
         "nfs4_init_client", "nfs4_set_client", "nfs4_create_server", "nfs4_remote_mount", "mount_fs", "vfs_kern_mount", "do_mount", "sys_mount"];

    // ../shared/TESTBED.md section 2, Debian 6.1.0-56-amd64 in QEMU: mount A against a "ping-only" server, listed as
    // initialising and waiting for EXCHANGE_ID (4.1).
    private static readonly string[] TestbedBlocker =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_run_exchange_id", "_nfs4_proc_exchange_id",
         "nfs41_discover_server_trunking", "nfs4_discover_server_trunking", "nfs4_init_client", "nfs4_set_client", "nfs4_create_server",
         "nfs4_try_get_tree", "vfs_get_tree", "path_mount", "__x64_sys_mount"];

    // Same, 4.0: mount A waits for SETCLIENTID ("nfs4_proc_setclientid <- nfs40_discover_server_trunking").
    private static readonly string[] TestbedBlocker40 =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_proc_setclientid", "nfs40_discover_server_trunking",
         "nfs4_discover_server_trunking", "nfs4_init_client", "nfs4_set_client", "nfs4_create_server", "nfs4_try_get_tree", "vfs_get_tree",
         "path_mount", "__x64_sys_mount"];

    // Same: every later NFS mount queues behind mount A (nfs_match_client is inlined into nfs_get_client on 6.1).
    private static readonly string[] TestbedWaiter =
        ["nfs_wait_client_init_complete", "nfs_get_client", "nfs4_set_client", "nfs4_create_server", "nfs4_try_get_tree", "vfs_get_tree",
         "path_mount", "__x64_sys_mount"];

    // Same: a "black-hole" server that accepts TCP and never answers; the first RPC NULL ping inside rpc_create.
    private static readonly string[] TestbedNoAnswer =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "rpc_call_null_helper", "rpc_create_xprt", "rpc_create",
         "nfs_create_rpc_client", "nfs4_alloc_client", "nfs_get_client", "nfs4_set_client", "nfs4_create_server", "nfs4_try_get_tree",
         "vfs_get_tree", "path_mount", "__x64_sys_mount"];

    // NeilBrown, "[PATCH] NFSv4: don't let hanging mounts block other mounts" (linux-nfs, 24 May 2017, SUSE
    // bsc#1040364): "The second mount is blocked in nfs4_init_client() -> nfs4_discover_server_trunking() ->
    // nfs40_discover_server_trunking() -> nfs40_walk_client_list() -> nfs4_match_client() ->
    // nfs_wait_client_init_complete()", reversed to innermost first.
    private static readonly string[] NeilBrownWaiter =
        ["nfs_wait_client_init_complete", "nfs4_match_client", "nfs40_walk_client_list", "nfs40_discover_server_trunking",
         "nfs4_discover_server_trunking", "nfs4_init_client"];

    // stat(2) on a hard NFSv4 mount whose server stopped answering, as in tests/NfsWatch.Tests/testdata/stacks/nfs4-hard-stat.txt
    // (frame names and order from the testbed, offsets illustrative there).
    private static readonly string[] HardMountStat =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_call_sync_sequence", "_nfs4_proc_getattr",
         "nfs4_proc_getattr", "__nfs_revalidate_inode", "nfs_getattr", "vfs_statx", "vfs_fstatat", "__do_sys_newfstatat"];

    // ../shared/TESTBED.md section 2, "rpc.nfsd 0" (server gone): `stat` on the hard mount hangs in D, wchan
    // rpc_wait_bit_killable, "stack through nfs4_proc_lookup". Only those frames are recorded there; the frames between
    // are reconstructed from the 6.1 lookup path.
    private static readonly string[] HardMountLookup =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_call_sync_sequence", "_nfs4_proc_lookup",
         "nfs4_proc_lookup", "nfs_lookup", "__lookup_slow", "walk_component", "path_lookupat", "filename_lookup", "vfs_statx",
         "vfs_fstatat", "__do_sys_newfstatat"];

    // ../shared/TESTBED.md section 1: a bind mount through a FUSE mount whose server never reads /dev/fuse, seen on
    // this machine's kernel: wchan fuse_get_req, stack "... fuse_lookup ... path_mount ... __x64_sys_mount".
    private static readonly string[] FuseBindMount =
        ["fuse_get_req", "__fuse_simple_request", "fuse_lookup_name", "fuse_lookup", "__lookup_slow", "walk_component", "path_lookupat",
         "filename_lookup", "kern_path", "path_mount", "__x64_sys_mount", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"];

    private static StuckThread Thread(string[] stack, string? wchan = null, string? nfsVersion = null, string comm = "mount.nfs4") =>
        Snapshots.Call(100, 100, 300, true, comm: comm, nfsVersion: nfsVersion) with { Stack = stack, Wchan = wchan ?? stack[0] };

    private static (string? Id, string? Role) Match(StuckThread thread, bool isMountCall, KernelVersion? kernel = null)
    {
        var m = SignatureCatalog.Defaults.Match(thread, isMountCall, kernel);
        return (m?.Signature.Id, m?.Pattern.Role);
    }

    [Fact]
    public void FlatcarNfs3MountStuckInLockdUp()
    {
        Assert.Equal(("nfs3-lockd-start-hang", null), Match(Thread(FlatcarLockd, nfsVersion: "3", comm: "mount.nfs"), isMountCall: true));
        Assert.Equal(("nfs3-lockd-start-hang", null), Match(Thread(FlatcarLockd, comm: "mount.nfs"), isMountCall: true));
    }

    [Fact]
    public void FlatcarLockdStackOutsideAMountCallIsNotNamed()
    {
        Assert.Equal((null, null), Match(Thread(FlatcarLockd, nfsVersion: "3"), isMountCall: false));
    }

    [Fact]
    public void GaneshaMutexWaiterIsTheDeadlockWaiter()
    {
        var kernel = KernelVersion.TryParse("3.10.0-514.el7.x86_64");

        Assert.Equal(("nfs4-client-init-deadlock", "waiter"), Match(Thread(GaneshaMutexWaiter, wchan: "__mutex_lock_slowpath", nfsVersion: "4.1"), true, kernel));
        Assert.Equal(("nfs4-client-init-deadlock", "waiter"), Match(Thread(GaneshaMutexWaiter), true, kernel));
    }

    // Linux commit c156618e1510 ("Process 2"): holds nfs_clid_init_mutex in nfs4_discover_server_trunking while
    // nfs41_walk_client_list waits for another client to finish initialising. Reconstructed from that call chain,
    // not a captured stack: no public capture of this side was found.
    [Fact]
    public void DeadlockBlockerShapeFromTheFixingCommit()
    {
        string[] stack =
            ["nfs_wait_client_init_complete", "nfs41_walk_client_list", "nfs41_discover_server_trunking",
             "nfs4_discover_server_trunking", "nfs4_init_client", "nfs_get_client", "nfs4_set_client", "nfs4_create_server"];

        Assert.Equal(("nfs4-client-init-deadlock", "blocker"), Match(Thread(stack, nfsVersion: "4.1"), true));
    }

    [Fact]
    public void TestbedHeadOfLineBlocker()
    {
        Assert.Equal(("nfs4-client-init-stalled", "blocker"), Match(Thread(TestbedBlocker, nfsVersion: "4.1"), true, Debian12));
        Assert.Equal(("nfs4-client-init-stalled", "blocker"), Match(Thread(TestbedBlocker40, nfsVersion: "4.0"), true, Debian12));
    }

    [Fact]
    public void TestbedHeadOfLineWaiter()
    {
        Assert.Equal(("nfs4-client-init-stalled", "waiter"), Match(Thread(TestbedWaiter, nfsVersion: "4.2"), true, Debian12));
        Assert.Equal(("nfs4-client-init-stalled", "waiter"), Match(Thread(TestbedWaiter, comm: "dockerd"), true, Debian12));
    }

    [Fact]
    public void TestbedWaiterWithAnUnreadableStackIsKnownByItsWchan()
    {
        var thread = Snapshots.Call(100, 107, 120, true, comm: "dockerd") with { Stack = [], Wchan = "nfs_wait_client_init_complete" };

        Assert.Equal(("nfs4-client-init-stalled", "waiter"), Match(thread, true, Debian12));
    }

    [Fact]
    public void UnreadableStackWaitingInRpcIsNotGuessedForAMount()
    {
        var thread = Snapshots.Call(100, 100, 120, true) with { Stack = [], Wchan = "rpc_wait_bit_killable" };

        Assert.Equal((null, null), Match(thread, true, Debian12));
    }

    [Fact]
    public void TestbedServerNotAnswering()
    {
        Assert.Equal(("nfs-server-unreachable-at-mount", null), Match(Thread(TestbedNoAnswer, nfsVersion: "4.1"), true, Debian12));
    }

    [Fact]
    public void NeilBrownSecondMountIsAStalledInitWaiter()
    {
        Assert.Equal(("nfs4-client-init-stalled", "waiter"), Match(Thread(NeilBrownWaiter, nfsVersion: "4.0"), true));
    }

    [Fact]
    public void HardMountStatWithTheServerGone()
    {
        var thread = Thread(HardMountStat, comm: "stat") with { Syscall = "newfstatat" };

        Assert.Equal(("nfs-hard-mount-server-gone", null), Match(thread, isMountCall: false, Debian12));
        Assert.Equal((null, null), Match(thread, isMountCall: true, Debian12));

        var lookup = Thread(HardMountLookup, comm: "stat") with { Syscall = "newfstatat" };
        Assert.Equal(("nfs-hard-mount-server-gone", null), Match(lookup, isMountCall: false, Debian12));
        Assert.Equal((null, null), Match(lookup, isMountCall: true, Debian12));
    }

    [Fact]
    public void HardMountThreadWithAnUnreadableStackIsKnownByItsWchan()
    {
        var thread = Snapshots.Call(100, 100, 120, true, syscall: "newfstatat") with { Stack = [], Wchan = "rpc_wait_bit_killable" };

        Assert.Equal(("nfs-hard-mount-server-gone", null), Match(thread, isMountCall: false));
    }

    [Fact]
    public void FuseMountIsNoKnownProblem()
    {
        var thread = Thread(FuseBindMount, comm: "mount");

        Assert.Equal((null, null), Match(thread, isMountCall: true));
        Assert.Equal((null, null), Match(thread, isMountCall: false));
    }

    [Fact]
    public void MountSignaturesDoNotNameBlockedThreads()
    {
        foreach (var stack in new[] { TestbedBlocker, TestbedWaiter, TestbedNoAnswer, NeilBrownWaiter, GaneshaMutexWaiter })
        {
            var (id, _) = Match(Thread(stack), isMountCall: false, Debian12);
            Assert.True(id is null or "nfs-hard-mount-server-gone", $"{stack[0]}: {id}");
        }
    }

    // Captured by the VM tier on Debian 6.1.0-56-amd64 (testdata/stacks/vm/6.1.0-56-amd64-nfsv3-mount-mnt.txt):
    // an NFSv3 mount whose MOUNT call to the server is accepted but never answered.
    private static readonly string[] VmNfs3MountdNoAnswer =
    [
        "rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "rpc_call_sync", "nfs_mount",
        "nfs_request_mount.constprop.0.isra.0", "nfs_try_get_tree", "vfs_get_tree", "path_mount", "__x64_sys_mount",
        "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
    ];

    [Fact]
    public void VmNfs3MountWaitingForMountd()
    {
        Assert.Equal("nfs3-mountd-not-answering", Match(Thread(VmNfs3MountdNoAnswer), true).Id);
    }

    [Fact]
    public void EveryDefaultHasARealStackHere()
    {
        var named = new[]
        {
            Match(Thread(FlatcarLockd), true), Match(Thread(GaneshaMutexWaiter), true), Match(Thread(TestbedBlocker), true),
            Match(Thread(TestbedWaiter), true), Match(Thread(TestbedNoAnswer), true), Match(Thread(NeilBrownWaiter), true),
            Match(Thread(HardMountStat), false), Match(Thread(VmNfs3MountdNoAnswer), true),
        }.Select(m => m.Id).ToHashSet();

        Assert.Equal(SignatureCatalog.Defaults.Signatures.Select(s => s.Id).Order(), named.Order()!);
    }
}
