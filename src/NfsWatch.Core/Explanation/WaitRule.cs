using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>A process outside the scan's threads that holds what a thread waits for (the automount daemon).</summary>
public sealed record ExternalHolder(int Pid, string Comm);

/// <summary>
/// One way a hung thread can wait for another: how to tell a waiter by its stack, which threads can hold
/// what it waits for, and that resource in words. /proc/PID/stack hides the lock's own frames, so a waiter
/// for a sleeping lock shows, as the frame it waits in, the function that took the lock; among the threads
/// on the same call path, the one that has gone past that frame holds it. Where none has visibly gone past
/// it (the holder may sleep inside the very function that took the lock), the thread that arrived first,
/// the one waiting longest, holds it. Threads are tied by what they share (a network namespace's NFS client
/// list, a global mutex, a superblock, a directory's mount, a file descriptor, a server), never by a guess;
/// of several possible holders the one waiting longest is named.
/// </summary>
/// <param name="Holds">A thread that has visibly taken the resource (it has gone past the waiter's frame).</param>
/// <param name="Participates">A thread on the same path, for rules where the holder can sleep in the frame that took the lock; null otherwise.</param>
/// <param name="SharesServer">Waiter and holder are on the same filesystem and server by construction: the one that does not say which takes the other's.</param>
/// <param name="External">A holder outside the scan's threads, for waits on a process (the automount daemon).</param>
public sealed record WaitRule(
    string Id,
    Func<ThreadContext, bool> Waits,
    Func<ThreadContext, ThreadContext, bool> Holds,
    Func<ThreadContext, ThreadContext?, string> Resource,
    bool WaiterKillable,
    Func<ThreadContext, ThreadContext, bool>? Participates = null,
    bool SharesServer = false,
    Func<ThreadContext, ExternalHolder?>? External = null)
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
            WaiterKillable: false,
            Participates: (h, _) => Has(h, "nfs4_discover_server_trunking")),
        // fs/lockd/svc.c lockd_up holds the global nlmsvc_mutex while it starts lockd and registers it with the
        // local rpcbind; nlmclnt_init (lockd_up inlined) and lockd_down wait for it. The holder may itself sleep
        // inside lockd_up (4.19: in lockd_unregister_notifiers), so the first there holds it.
        new("lockd-start",
            t => Top(t, LockdFrames),
            (h, _) => Below(h, "lockd_up"),
            (_, _) => "nlmsvc_mutex (lockd start-up)",
            WaiterKillable: false,
            Participates: (h, _) => Has(h, LockdFrames)),
        // fs/super.c: a new mount of an existing superblock takes its s_umount in grab_super (sget_fc); an
        // unmount holds it for writing from deactivate_super through kill_sb, sync holds it for reading
        // (iterate_supers) while it writes the superblock's inodes back.
        new("superblock",
            t => Top(t, "grab_super|super_lock|__super_lock|super_lock_excl|grab_super_dead|sget_fc|sget|sget_userns"),
            (h, w) => Below(h, KillSuper + "|iterate_supers|sync_filesystem") && SameFileSystem(h, w),
            (w, h) => $"the superblock of {Describe(h is not null && h.FsType is not null ? h : w)}, held by {(h is not null && Has(h, "iterate_supers|sync_filesystem") ? "sync" : "an unmount tearing it down")} (s_umount)",
            WaiterKillable: false,
            SharesServer: true),
        // fs/fs-writeback.c wait_sb_inodes: one sync at a time per superblock (s_sync_lock).
        new("sync-lock",
            t => Top(t, "sync_inodes_sb|wait_sb_inodes"),
            (h, _) => Below(h, "sync_inodes_sb|wait_sb_inodes"),
            (_, _) => "a superblock's sync lock (s_sync_lock), held by an earlier sync",
            WaiterKillable: false,
            SharesServer: true),
        // The directory's i_rwsem: a path walk takes it shared in lookup_slow, creation and removal take it
        // exclusive (filename_create, open_last_lookups with O_CREAT, do_unlinkat, lock_rename), readdir in
        // iterate_dir; FUSE takes its own inode mutex for readdir and lookup without parallel dirops
        // (fuse_lock_inode). A thread blocked in the filesystem after taking it holds up every other walk there.
        new("directory-lock",
            t => t.Thread.State == 'D' && Top(t, DirectoryLockTakers),
            (h, w) => h.OnRemoteFs && SameMount(h, w) && (Below(h, DirectoryLockHolders) || PassedSharedFrame(h, w)),
            (w, h) => (w.BlockedOn ?? h?.BlockedOn) is { } m ? $"a directory lock (i_rwsem) on {m}" : "a directory lock (i_rwsem)",
            WaiterKillable: false,
            SharesServer: true),
        // fs/file.c __fdget_pos: threads sharing an open directory or file take its f_pos_lock in turn; the
        // holder is the thread of the same process in a call on the same descriptor.
        new("file-position-lock",
            t => t.Thread.State == 'D' && Top(t, "__fdget_pos|fdget_pos"),
            (h, w) => h.Thread.Pid == w.Thread.Pid && h.Thread.SyscallNumber >= 0 && h.Thread.Args[0] == w.Thread.Args[0] && !Top(h, "__fdget_pos|fdget_pos"),
            (w, _) => $"the position lock (f_pos_lock) of its file descriptor {(long)w.Thread.Args[0]}",
            WaiterKillable: false),
        // A file's inode lock (i_rwsem): writes, truncation and FUSE's flush take it; a thread blocked in the
        // filesystem while holding it holds up the others.
        new("inode-lock",
            t => t.Thread.State == 'D' && Top(t, InodeLockTakers),
            (h, w) => h.OnRemoteFs && SameMount(h, w) && (Below(h, InodeLockTakers) || PassedSharedFrame(h, w)),
            (w, _) => w.BlockedOn is { } m ? $"a file's inode lock (i_rwsem) on {m}" : "a file's inode lock (i_rwsem)",
            WaiterKillable: false,
            SharesServer: true),
        // fs/nfs/nfs4state.c: while the state manager of a server recovers (lease, session, reboot), calls to
        // that server wait in nfs4_wait_clnt_recover for it. The manager is a kernel thread named after the server.
        new("nfs4-state-recovery",
            t => Has(t, "nfs4_wait_clnt_recover|nfs4_client_recover_expired_lease|nfs4_wait_state_manager*"),
            (h, w) => h.Thread.IsKernelThread && NfsStateManager.IsNamed(h.Thread.Comm)
                      && (w.Server is null || NfsStateManager.Serves(h.Thread.Comm, w.ServerAddress) || NfsStateManager.Serves(h.Thread.Comm, w.Server)),
            (w, h) => $"the recovery of the NFSv4 client state for {w.Server ?? h?.Server ?? "its server"} (its state manager)",
            WaiterKillable: true,
            SharesServer: true),
        // fs/smb/client: a session's session_mutex is held through negotiate and session setup
        // (cifs_get_smb_ses) and through a reconnect (smb2_reconnect); a call that finds the session needing
        // a reconnect waits for it there.
        new("cifs-session",
            t => t.Thread.State == 'D' && Top(t, "cifs_get_smb_ses|smb2_reconnect|cifs_reconnect_tcon|cifs_setup_session"),
            (h, w) => Below(h, "cifs_get_smb_ses|smb2_reconnect|cifs_reconnect_tcon") && !w.OtherServer(h),
            (w, h) => $"the SMB session with {w.Server ?? h?.Server ?? "its server"}, being set up or reconnected (session_mutex)",
            WaiterKillable: false,
            SharesServer: true),
        // fs/smb/client cached root handle (open_shroot, open_cached_dir): its fid_mutex is held while the
        // handle is opened; a reconnect that invalidates open files waits for it (the deadlock of 4.20,
        // fixed by 7e5a70ad88b1).
        new("cifs-cached-root",
            t => t.Thread.State == 'D' && Top(t, "cifs_mark_open_files_invalid|close_shroot*|close_cached_dir*|invalidate_all_cached_dirs|smb2_close_cached_fid"),
            (h, w) => Below(h, "open_shroot|open_cached_dir*") && !w.OtherServer(h),
            (w, _) => $"the cached root handle of a share on {w.Server ?? "its server"} (fid_mutex)",
            WaiterKillable: false,
            SharesServer: true),
        // fs/autofs/waitq.c: a path walk into an automount point waits for the automount daemon, whose process
        // group the autofs mount names (pgrp=).
        new("autofs",
            t => Has(t, "autofs_wait|autofs4_wait"),
            (_, _) => false,
            (w, _) => w.AutofsDaemon is { } d ? $"the automount daemon ({d.Comm}, pid {d.Pid}) to mount {w.MountPoint ?? "the path"}"
                : $"the automount daemon to mount {w.MountPoint ?? "the path"}",
            WaiterKillable: true,
            External: w => w.AutofsDaemon),
    ];

    private const string LockdFrames = "lockd_up|nlmclnt_init|lockd_down|nlmclnt_done";

    // fs/super.c and the filesystems' kill_sb: the steps of tearing a superblock down.
    private const string KillSuper = "deactivate_locked_super|deactivate_super|generic_shutdown_super|kill_anon_super|kill_litter_super|" +
                                     "kill_block_super|nfs_kill_super|cifs_kill_sb|fuse_kill_sb_anon|fuse_kill_sb_blk|cleanup_mnt";

    private const string DirectoryLockTakers = "lookup_slow|walk_component|d_alloc_parallel|open_last_lookups|do_last|filename_create|" +
                                               "do_unlinkat|do_rmdir|lock_rename|do_renameat2|iterate_dir|vfs_readdir|chmod_common|chown_common|" +
                                               "fuse_lock_inode";

    private const string DirectoryLockHolders = "lookup_slow|__lookup_slow|lookup_open|open_last_lookups|do_last|filename_create|do_unlinkat|" +
                                                "vfs_unlink|do_rmdir|vfs_rmdir|lock_rename|vfs_rename|do_renameat2|iterate_dir|vfs_readdir|" +
                                                "vfs_mkdir|vfs_create|vfs_symlink|vfs_link|chmod_common|chown_common";

    private const string InodeLockTakers = "fuse_flush|fuse_file_write_iter|fuse_cache_write_iter|generic_file_write_iter|nfs_start_io_write|" +
                                           "nfs_start_io_read|nfs_start_io_direct|do_truncate";

    /// <summary>Some frame of the stack matches the pattern.</summary>
    internal static bool Has(ThreadContext t, string pattern) => t.Thread.Stack.Any(f => StackPattern.FrameMatches(pattern, f));

    /// <summary>The frame the thread waits in (the innermost that is not the scheduler or a lock primitive) matches.</summary>
    internal static bool Top(ThreadContext t, string pattern) =>
        t.Thread.TopFrame is { } top && StackPattern.FrameMatches(pattern, top);

    /// <summary>A frame beyond the one the thread waits in matches: the thread has gone past it.</summary>
    internal static bool Below(ThreadContext t, string pattern)
    {
        for (int i = t.Thread.TopIndex + 1; i < t.Thread.Stack.Count; i++)
            if (StackPattern.FrameMatches(pattern, t.Thread.Stack[i])) return true;
        return false;
    }

    /// <summary>
    /// The holder is in the function the waiter waits under (the caller of the waiter's frame), and has gone on
    /// from it into something else: it took the lock the waiter waits for there ("fuse_readdir" waiting in
    /// fuse_lock_inode, against one in fuse_readdir waiting for the daemon's reply).
    /// </summary>
    private static bool PassedSharedFrame(ThreadContext h, ThreadContext w)
    {
        var ws = w.Thread.Stack;
        int top = w.Thread.TopIndex;
        if (top + 1 >= ws.Count) return false;
        string caller = ws[top + 1], waitsIn = ws[top];
        var hs = h.Thread.Stack;
        for (int j = h.Thread.TopIndex + 1; j < hs.Count; j++)
            if (hs[j] == caller) return hs[j - 1] != waitsIn;
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
        if (holder.BlockedOn is { } h && waiter.BlockedOn is { } w) return h == w;
        return waiter.Family == FsFamily.None || waiter.Family == holder.Family;
    }

    private static string Describe(ThreadContext t) =>
        t.Server is { } s ? $"{t.FsType ?? "the filesystem"} from {s}" : t.MountPoint is { } m ? $"{t.FsType ?? "the filesystem"} on {m}" : t.FsType ?? "a filesystem";
}
