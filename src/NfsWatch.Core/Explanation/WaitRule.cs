using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// One way a hung thread can wait for another: how to tell a waiter by its stack, which threads can hold
/// what it waits for, and that resource in words. /proc/PID/stack hides the lock's own frames (HiddenFrames),
/// so a waiter for a sleeping lock shows, as its innermost frame, the function that took the lock; among the
/// threads on the same call path, the one that has gone past that frame holds it. Threads are tied by what
/// they share (a network namespace's NFS client list, a global mutex, a superblock, a directory's mount, a
/// server), never by a guess; when several could hold it, the one waiting longest is named.
/// </summary>
public sealed record WaitRule(
    string Id,
    Func<ThreadContext, bool> Waits,
    Func<ThreadContext, ThreadContext, bool> Holds,
    Func<ThreadContext, ThreadContext?, string> Resource,
    bool WaiterKillable)
{
    /// <summary>The rules in the order they are tried; the first that says a thread waits decides.</summary>
    public static IReadOnlyList<WaitRule> All { get; } =
    [
        // fs/nfs/client.c nfs_match_client (and, for trunking, nfs4_match_client under nfs4x_walk_client_list)
        // waits for any client of the network namespace that is still initialising, before it even compares
        // servers: the first one listed, the oldest. A client is listed while its init_client runs
        // (nfs4_init_client, nfs_init_client).
        new("nfs-client-init",
            t => Has(t, "nfs_wait_client_init_complete") || (t.Thread.Stack.Count == 0 && t.Thread.Wchan == "nfs_wait_client_init_complete"),
            (h, w) => SameNetwork(h, w) && Has(h, "nfs4_init_client|nfs_init_client"),
            (w, h) => h?.Server is { } s ? $"the initialisation of the NFS client for {s}" : "the initialisation of another NFS client",
            WaiterKillable: true),
        // fs/nfs/nfs4state.c nfs4_discover_server_trunking takes the global nfs_clid_init_mutex; before
        // c156618e1510 its holder could wait in nfs41_walk_client_list for a client whose initialiser waits for
        // the mutex (the deadlock that commit fixed).
        new("nfs-clid-init-mutex",
            t => Top(t, "nfs4_discover_server_trunking"),
            (h, _) => Below(h, "nfs4_discover_server_trunking"),
            (_, _) => "nfs_clid_init_mutex (NFSv4 server trunking discovery)",
            WaiterKillable: false),
        // fs/lockd/svc.c lockd_up holds the global nlmsvc_mutex while it starts lockd and registers it with
        // the local rpcbind; every other NFSv3 mount that needs lockd waits for it.
        new("lockd-start",
            t => Top(t, "lockd_up"),
            (h, _) => Below(h, "lockd_up"),
            (_, _) => "nlmsvc_mutex (lockd start-up)",
            WaiterKillable: false),
        // fs/super.c: a new mount of an existing superblock takes its s_umount in grab_super (sget_fc); an
        // unmount holds it for writing from deactivate_super through kill_sb until the superblock is gone.
        new("superblock",
            t => Top(t, "grab_super|super_lock|__super_lock|super_lock_excl|grab_super_dead|sget_fc|sget"),
            (h, w) => Below(h, KillSuper) && SameFileSystem(h, w),
            (w, h) => $"the superblock of {Describe(h ?? w)} being torn down by an unmount (s_umount)",
            WaiterKillable: false),
        // The directory's i_rwsem: a path walk takes it shared in lookup_slow, creation and removal take it
        // exclusive (filename_create, open_last_lookups with O_CREAT, do_unlinkat, lock_rename), readdir in
        // iterate_dir. A thread blocked in the filesystem after taking it holds up every other walk there.
        new("directory-lock",
            t => t.Thread.State == 'D' && Top(t, DirectoryLockTakers),
            (h, w) => h.Thread.Stack.Count > 1 && h.OnRemoteFs && Below(h, DirectoryLockHolders) && SameMount(h, w),
            (w, h) => (w.MountPoint ?? h?.MountPoint) is { } m ? $"a directory lock (i_rwsem) on {m}" : "a directory lock (i_rwsem)",
            WaiterKillable: false),
        // fs/nfs/nfs4state.c: while the state manager of a server recovers (lease, session, reboot), calls to
        // that server wait in nfs4_wait_clnt_recover for it. The manager is a kernel thread named after the server.
        new("nfs4-state-recovery",
            t => Has(t, "nfs4_wait_clnt_recover|nfs4_client_recover_expired_lease|nfs4_wait_state_manager*"),
            (h, w) => h.Thread.IsKernelThread && NfsStateManager.IsNamed(h.Thread.Comm)
                      && (w.Server is null || NfsStateManager.Serves(h.Thread.Comm, w.ServerAddress) || NfsStateManager.Serves(h.Thread.Comm, w.Server)),
            (w, h) => $"the recovery of the NFSv4 client state for {w.Server ?? "its server"} (its state manager)",
            WaiterKillable: true),
        // fs/smb/client/connect.c cifs_get_smb_ses holds the session's session_mutex through negotiate and
        // session setup; a second mount of the same server and user waits for it.
        new("cifs-session",
            t => Top(t, "cifs_get_smb_ses"),
            (h, w) => Below(h, "cifs_get_smb_ses") && !w.OtherServer(h),
            (w, h) => $"the SMB session setup with {w.Server ?? h?.Server ?? "its server"} (session_mutex)",
            WaiterKillable: false),
        // fs/autofs/waitq.c: a path walk into an automount point waits for the automount daemon, which mounts there.
        new("autofs",
            t => Has(t, "autofs_wait|autofs4_wait"),
            (h, w) => h.Thread.Kind == ThreadKind.MountCall && w.MountPoint is { } m && h.Request?.Target is { } target
                      && (target == m || target.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal)),
            (w, _) => $"the automount daemon mounting {(w.MountPoint is { } m ? "under " + m : "a path")}",
            WaiterKillable: true),
    ];

    // fs/super.c and the filesystems' kill_sb: the steps of tearing a superblock down.
    private const string KillSuper = "deactivate_locked_super|deactivate_super|generic_shutdown_super|kill_anon_super|kill_litter_super|" +
                                     "kill_block_super|nfs_kill_super|cifs_kill_sb|fuse_kill_sb_anon|fuse_kill_sb_blk|cleanup_mnt";

    private const string DirectoryLockTakers = "lookup_slow|walk_component|d_alloc_parallel|open_last_lookups|do_last|filename_create|" +
                                               "do_unlinkat|do_rmdir|lock_rename|do_renameat2|iterate_dir|vfs_readdir|chmod_common|chown_common";

    private const string DirectoryLockHolders = "lookup_slow|__lookup_slow|lookup_open|open_last_lookups|do_last|filename_create|do_unlinkat|" +
                                                "vfs_unlink|do_rmdir|vfs_rmdir|lock_rename|vfs_rename|do_renameat2|iterate_dir|vfs_readdir|" +
                                                "vfs_mkdir|vfs_create|vfs_symlink|vfs_link|chmod_common|chown_common";

    /// <summary>Some frame of the stack matches the pattern.</summary>
    internal static bool Has(ThreadContext t, string pattern) => t.Thread.Stack.Any(f => StackPattern.FrameMatches(pattern, f));

    /// <summary>The innermost frame matches: the thread sleeps right there.</summary>
    internal static bool Top(ThreadContext t, string pattern) =>
        t.Thread.Stack.Count > 0 ? StackPattern.FrameMatches(pattern, t.Thread.Stack[0])
            : t.Thread.Wchan is { } w && StackPattern.FrameMatches(pattern, w);

    /// <summary>A frame other than the innermost matches: the thread has gone past it.</summary>
    internal static bool Below(ThreadContext t, string pattern)
    {
        for (int i = 1; i < t.Thread.Stack.Count; i++)
            if (StackPattern.FrameMatches(pattern, t.Thread.Stack[i])) return true;
        return false;
    }

    /// <summary>NFS clients are listed per network namespace; an unknown namespace rules nothing out.</summary>
    private static bool SameNetwork(ThreadContext a, ThreadContext b) =>
        a.NetNamespace is null || b.NetNamespace is null || a.NetNamespace == b.NetNamespace;

    /// <summary>The same kind of filesystem and, when both are known, the same server.</summary>
    private static bool SameFileSystem(ThreadContext holder, ThreadContext waiter) =>
        (holder.Family == waiter.Family || holder.Family == FsFamily.None || waiter.Family == FsFamily.None) && !waiter.OtherServer(holder);

    /// <summary>The same mount when both are known; else the same kind of filesystem when the waiter's is known.</summary>
    private static bool SameMount(ThreadContext holder, ThreadContext waiter)
    {
        if (holder.MountPoint is { } h && waiter.MountPoint is { } w) return h == w;
        return waiter.Family == FsFamily.None || waiter.Family == holder.Family;
    }

    private static string Describe(ThreadContext t) =>
        t.Server is { } s ? $"{t.FsType ?? "the filesystem"} from {s}" : t.MountPoint is { } m ? $"{t.FsType ?? "the filesystem"} on {m}" : t.FsType ?? "a filesystem";
}
