using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>Why a thread is stuck, as far as the evidence goes (the scan JSON's "cause").</summary>
public enum HangCause
{
    /// <summary>Nothing tells: no known wait, no holder, no word from the kernel log.</summary>
    Unknown,
    /// <summary>The kernel log says its server does not respond ("nfs: server X not responding", "has not responded"), or the server's RPC timeouts grew.</summary>
    ServerNotResponding,
    /// <summary>It waits for its server's reply (an RPC, an SMB response, a FUSE daemon's answer), and nothing says the server is down.</summary>
    NoReplyFromServer,
    /// <summary>It waits for another thread or for state on this host: a lock, a client being set up, state recovery.</summary>
    ClientState,
}

/// <summary>Which evidence decides the cause of a thread.</summary>
public static class HangCauses
{
    /// <summary>Functions a thread sleeps in while it waits for a reply from its server.</summary>
    private const string ReplyWaits =
        "rpc_wait_bit_killable|rpc_wait_bit_interruptible|__rpc_wait_for_completion_task|rpc_wait_for_completion_task|" +
        "wait_for_response|wait_for_compound_request|cifs_wait_mtu_credits|wait_for_free_credits|wait_for_free_request|" +
        "request_wait_answer|fuse_get_req|fuse_simple_request|autofs_wait|autofs4_wait";

    /// <summary>Waits for writes the server has not acknowledged: NFS page requests and commits (fs/nfs/write.c).</summary>
    private const string NetworkWriteWaits = "wait_on_commit|nfs_wait_on_request|nfs_lock_and_join_requests|nfs_page_group_lock*|nfs_wait_on_inode_write*";

    /// <summary>Page and writeback waits, which wait for the server when the flush or fsync under them is a network filesystem's.</summary>
    private const string PageWaits = "folio_wait_*|wait_on_page_bit*|sleep_on_page|wait_on_page_writeback|__filemap_fdatawait_range|filemap_fdatawait*";

    private const string NetworkFlush = "nfs_file_fsync|nfs_file_flush|nfs_wb_all|nfs_wb_page|nfs_wb_folio|__nfs_commit_inode|nfs_writepages|nfs_write_inode|" +
                                        "cifs_flush|cifs_fsync|cifs_strict_fsync|cifs_writepages|cifs_write_*";

    /// <summary>Waits on state of this host that no server reply ends by itself: in-flight requests of an aborted FUSE connection, OPEN seqid order, session slots.</summary>
    private const string ClientStateWaits = "fuse_wait_aborted|nfs_set_open_stateid_locked|nfs4_drain_slot_tbl|nfs4_wait_clnt_recover|" +
                                            "nfs4_run_state_manager|lockd_up";

    /// <summary>True when the thread waits for its server to answer or to acknowledge writes.</summary>
    public static bool WaitsForServer(ThreadContext t) =>
        WaitRule.Top(t, ReplyWaits) || (t.Family is FsFamily.Nfs or FsFamily.Cifs
            && (WaitRule.Top(t, NetworkWriteWaits) || (WaitRule.Top(t, PageWaits) && WaitRule.Has(t, NetworkFlush))));

    public static string Name(HangCause cause) => cause switch
    {
        HangCause.ServerNotResponding => "server_not_responding",
        HangCause.NoReplyFromServer => "no_reply_from_server",
        HangCause.ClientState => "client_state",
        _ => "unknown",
    };

    /// <param name="link">What the graph says the thread waits for, if anything.</param>
    /// <param name="serverDown">The kernel log or the RPC counters say the thread's server does not respond.</param>
    public static HangCause Of(ThreadContext t, WaitLink? link, bool serverDown)
    {
        if (link is not null) return HangCause.ClientState;
        bool clientState = WaitRule.Top(t, ClientStateWaits);
        if (serverDown && t.Family is FsFamily.Nfs or FsFamily.Cifs && !clientState) return HangCause.ServerNotResponding;
        if (WaitsForServer(t)) return HangCause.NoReplyFromServer;
        return clientState ? HangCause.ClientState : HangCause.Unknown;
    }

    /// <summary>True when SIGKILL ends the wait the thread is in: an RPC, a killable wait; false for sleeping locks and a FUSE request already sent.</summary>
    public static bool Killable(ThreadContext t, WaitLink? link)
    {
        if (t.Thread.IsKernelThread) return false;
        if (link is not null) return link.Rule.WaiterKillable;
        // fs/fuse/dev.c request_wait_answer: once the request is with the daemon, only its answer or an abort ends the wait.
        if (WaitRule.Top(t, "request_wait_answer")) return false;
        return WaitRule.Top(t, ReplyWaits) || t.Thread.State != 'D';
    }
}
