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
    // report, in the form /proc/PID/stack shows it: schedule_preempt_disabled, __mutex_lock_slowpath and mutex_lock
    // are never shown there (in_sched_functions), and "? _raw_spin_unlock_bh" is an unreliable guess. The public
    // excerpt is cut after nfs4_discover_server_trunking: the frames after it are completed (abbreviated) from the
    // 3.10 mount call chain. The reporting task there was a benchmark writer ("qbuckets2"), not mount(2).
    private static readonly string[] GaneshaMutexWaiter =
        ["nfs4_discover_server_trunking", "nfs4_init_client", "nfs4_set_client", "nfs4_create_server", "nfs4_remote_mount", "mount_fs",
         "vfs_kern_mount", "do_mount", "sys_mount"];

    // The VM tier (tests/vm), Debian 6.1.0-56-amd64 in QEMU: mount A against a "ping-only" server, listed as
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

    // The VM tier (tests/vm), "rpc.nfsd 0" (server gone): `stat` on the hard mount hangs in D, wchan
    // rpc_wait_bit_killable, "stack through nfs4_proc_lookup". Only those frames are recorded there; the frames between
    // are reconstructed from the 6.1 lookup path.
    private static readonly string[] HardMountLookup =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_call_sync_sequence", "_nfs4_proc_lookup",
         "nfs4_proc_lookup", "nfs_lookup", "__lookup_slow", "walk_component", "path_lookupat", "filename_lookup", "vfs_statx",
         "vfs_fstatat", "__do_sys_newfstatat"];

    // tests/hang/fusehang.c: a bind mount through a FUSE mount whose server never reads /dev/fuse, seen on
    // this machine's kernel: wchan fuse_get_req, stack "... fuse_lookup ... path_mount ... __x64_sys_mount".
    private static readonly string[] FuseBindMount =
        ["fuse_get_req", "__fuse_simple_request", "fuse_lookup_name", "fuse_lookup", "__lookup_slow", "walk_component", "path_lookupat",
         "filename_lookup", "kern_path", "path_mount", "__x64_sys_mount", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"];

    private static ObservedThread Thread(string[] stack, string? wchan = null, string comm = "mount.nfs4", bool mount = true) =>
        Snapshots.Thread(100, 100, 300, true, syscall: mount ? "mount" : "newfstatat", comm: comm, stack: stack, wchan: wchan ?? stack[0]);

    private static string? Match(ObservedThread thread, KernelVersion? kernel = null, string? nfsVersion = null) =>
        SignatureCatalog.Defaults.Match(thread, nfsVersion, kernel)?.Signature.Id;

    [Fact]
    public void FlatcarNfs3MountStuckInLockdUp()
    {
        Assert.Equal("nfs3-lockd-start-hang", Match(Thread(FlatcarLockd, comm: "mount.nfs"), nfsVersion: "3"));
        Assert.Equal("nfs3-lockd-start-hang", Match(Thread(FlatcarLockd, comm: "mount.nfs")));
    }

    [Fact]
    public void GaneshaMutexWaiterIsTheDeadlocksWaiterOnKernelsWithoutTheFix()
    {
        Assert.Equal("nfs4-client-init-deadlock", Match(Thread(GaneshaMutexWaiter), KernelVersion.TryParse("3.10.0-514.el7.x86_64"), "4.1"));
        Assert.Equal("nfs4-client-init-deadlock", Match(Thread(GaneshaMutexWaiter, mount: false), KernelVersion.TryParse("3.10.0-514.el7.x86_64")));
        // c156618e1510 is in 4.15: there the same shape waits for the mutex, and no deadlock is claimed.
        Assert.Null(Match(Thread(GaneshaMutexWaiter), KernelVersion.TryParse("5.10.0-32-amd64")));
    }

    // A hung-task trace prints the scheduler and lock frames that current kernels hide in /proc; older kernels (4.19)
    // still show some of them there. The frame a thread waits in is the first that is none of those.
    [Fact]
    public void AStackThatStillShowsTheLockFramesMatchesToo()
    {
        string[] printed = ["schedule_preempt_disabled", "__mutex_lock_slowpath", "mutex_lock", .. GaneshaMutexWaiter];
        Assert.Equal("nfs4-client-init-deadlock", Match(Thread(printed), KernelVersion.TryParse("3.10.0-514.el7.x86_64")));
    }

    // Linux commit c156618e1510 ("Process 2"): holds nfs_clid_init_mutex in nfs4_discover_server_trunking while
    // nfs41_walk_client_list waits for another client to finish initialising. Reconstructed from that call chain.
    // Its shape is that of any mount queued behind a client being set up; the deadlock is the wait-for graph's to find.
    [Fact]
    public void TheWalkerWaitsForAClientBeingSetUp()
    {
        string[] stack =
            ["nfs_wait_client_init_complete", "nfs41_walk_client_list", "nfs41_discover_server_trunking",
             "nfs4_discover_server_trunking", "nfs4_init_client", "nfs_get_client", "nfs4_set_client", "nfs4_create_server"];

        Assert.Equal("nfs-client-init-queued", Match(Thread(stack), KernelVersion.TryParse("3.10.0-514.el7.x86_64")));
    }

    [Fact]
    public void TestbedHeadOfLineBlocker()
    {
        Assert.Equal("nfs4-clientid-not-answered", Match(Thread(TestbedBlocker), Debian12, "4.1"));
        Assert.Equal("nfs4-clientid-not-answered", Match(Thread(TestbedBlocker40), Debian12, "4.0"));
    }

    [Fact]
    public void TestbedHeadOfLineWaiter()
    {
        Assert.Equal("nfs-client-init-queued", Match(Thread(TestbedWaiter), Debian12, "4.2"));
        Assert.Equal("nfs-client-init-queued", Match(Thread(TestbedWaiter, comm: "dockerd"), Debian12));
    }

    [Fact]
    public void TestbedWaiterWithAnUnreadableStackIsKnownByItsWchan()
    {
        var thread = Snapshots.Thread(100, 107, 120, true, comm: "dockerd", stack: [], wchan: "nfs_wait_client_init_complete");

        Assert.Equal("nfs-client-init-queued", Match(thread, Debian12));
    }

    [Fact]
    public void UnreadableStackWaitingInRpcIsNotGuessedForAMount()
    {
        var thread = Snapshots.Thread(100, 100, 120, true, stack: [], wchan: "rpc_wait_bit_killable");

        Assert.Null(Match(thread, Debian12));
    }

    [Fact]
    public void TestbedServerNotAnswering()
    {
        Assert.Equal("nfs-server-unreachable-at-mount", Match(Thread(TestbedNoAnswer), Debian12, "4.1"));
    }

    // "NFSv4: Mounting NFS server which is down, blocks all other NFS mounts on same machine" (linux-nfs, May 2021,
    // Steve Dickson's crash backtrace on upstream 5.11, innermost first; __schedule, schedule, __wait_on_bit and
    // out_of_line_wait_on_bit removed as /proc never shows them): before dd99e9f98fbf the first ping runs after the
    // client is listed, so every later mount waits behind it.
    private static readonly string[] DicksonListedPing =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "rpc_call_sync", "rpc_create_xprt", "rpc_create",
         "nfs_create_rpc_client", "nfs4_init_client", "nfs4_set_client", "nfs4_create_server", "nfs4_try_get_tree", "vfs_get_tree",
         "path_mount", "__x64_sys_mount", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"];

    [Fact]
    public void AListedClientsFirstPingHoldsUpTheOthersOnOlderKernels()
    {
        Assert.Equal("nfs-client-ping-not-answered", Match(Thread(DicksonListedPing), KernelVersion.TryParse("5.11.0")));
        // The same wait before the client is listed (6.1) holds up no one: another signature, another advice.
        Assert.Equal("nfs-server-unreachable-at-mount", Match(Thread(TestbedNoAnswer), Debian12));
    }

    [Fact]
    public void NeilBrownSecondMountIsQueuedBehindTheFirst()
    {
        Assert.Equal("nfs-client-init-queued", Match(Thread(NeilBrownWaiter), nfsVersion: "4.0"));
    }

    [Fact]
    public void HardMountStatWithTheServerGone()
    {
        Assert.Equal("nfs-io-waits-for-server", Match(Thread(HardMountStat, comm: "stat", mount: false), Debian12));
        Assert.Equal("nfs-mount-rpc-not-answered", Match(Thread(HardMountStat, comm: "stat"), Debian12));
        Assert.Equal("nfs-io-waits-for-server", Match(Thread(HardMountLookup, comm: "stat", mount: false), Debian12));
    }

    [Fact]
    public void HardMountThreadWithAnUnreadableStackIsKnownByItsWchan()
    {
        var thread = Snapshots.Thread(100, 100, 120, true, syscall: "newfstatat", stack: [], wchan: "rpc_wait_bit_killable");

        Assert.Equal("nfs-io-waits-for-server", Match(thread));
    }

    [Fact]
    public void AFuseServerThatDoesNotAnswerIsNamed()
    {
        Assert.Equal("fuse-server-not-answering", Match(Thread(FuseBindMount, comm: "mount")));
        Assert.Equal("fuse-server-not-answering", Match(Thread(FuseBindMount, comm: "ls", mount: false)));
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
        Assert.Equal("nfs3-mountd-not-answering", Match(Thread(VmNfs3MountdNoAnswer)));
    }

    [Fact]
    public void NoDefaultNeedsAFrameProcNeverShows()
    {
        foreach (var signature in SignatureCatalog.Defaults.Signatures)
            foreach (var pattern in signature.Stacks)
                foreach (string frame in pattern.Frames.Concat(pattern.Without ?? []))
                    foreach (string alternative in frame.Split('|'))
                        Assert.True(HiddenFrames.MatchedBy(alternative) is null, $"{signature.Id}: {alternative} names a frame /proc never shows");
    }
}
