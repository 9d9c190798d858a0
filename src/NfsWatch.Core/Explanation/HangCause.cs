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
        "smb2_reconnect|cifs_reconnect_tcon|request_wait_answer|fuse_get_req|fuse_simple_request|autofs_wait|autofs4_wait";

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
        bool waitsForReply = WaitRule.Top(t, ReplyWaits);
        if (serverDown && t.Family is FsFamily.Nfs or FsFamily.Cifs && (waitsForReply || t.OnRemoteFs)) return HangCause.ServerNotResponding;
        return waitsForReply ? HangCause.NoReplyFromServer : HangCause.Unknown;
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
