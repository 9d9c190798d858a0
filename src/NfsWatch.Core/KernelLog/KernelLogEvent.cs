using System.Text;

namespace NfsWatch.Core.KernelLog;

/// <summary>A kernel log line NfsWatch counts: "server_not_responding", "server_ok" or "hung_task".</summary>
/// <param name="Server">The NFS or SMB server named by the line, or null.</param>
/// <param name="Pid">For hung_task: the thread id the kernel reports (task->pid), else 0.</param>
/// <param name="Seconds">Seconds since boot when the kernel logged it (the record's timestamp).</param>
public sealed record KernelLogEvent(string Event, string? Server, int Pid, double Seconds, string Message)
{
    public const string ServerNotResponding = "server_not_responding", ServerOk = "server_ok", HungTask = "hung_task";

    /// <summary>
    /// Parses one /dev/kmsg record, "PRI,SEQ,TIMESTAMP_US,FLAGS[,...];MESSAGE" (Documentation/ABI/testing/dev-kmsg),
    /// and returns the event it reports, or null for any other line. Messages recognised:
    /// "nfs: server X not responding, still trying" / ", timed out" and "nfs: server X OK" (fs/nfs/client.c,
    /// net/sunrpc), "INFO: task COMM:PID blocked for more than N seconds." (kernel/hung_task.c).
    /// </summary>
    public static KernelLogEvent? TryParse(ReadOnlySpan<byte> record)
    {
        int semi = record.IndexOf((byte)';');
        if (semi < 0) return null;
        var header = record[..semi];
        var message = record[(semi + 1)..];
        int nl = message.IndexOf((byte)'\n');
        if (nl >= 0) message = message[..nl];
        double seconds = 0;
        int c1 = header.IndexOf((byte)',');
        if (c1 >= 0)
        {
            var rest = header[(c1 + 1)..];
            int c2 = rest.IndexOf((byte)',');
            if (c2 >= 0)
            {
                var ts = rest[(c2 + 1)..];
                int c3 = ts.IndexOf((byte)',');
                if (c3 >= 0 && System.Buffers.Text.Utf8Parser.TryParse(ts[..c3], out ulong us, out int used) && used == c3) seconds = us / 1e6;
            }
        }
        string text = Encoding.UTF8.GetString(message).TrimEnd();
        return TryParseMessage(text, seconds);
    }

    public static KernelLogEvent? TryParseMessage(string text, double seconds)
    {
        const string nfsServer = "nfs: server ";
        if (text.StartsWith(nfsServer, StringComparison.Ordinal))
        {
            string rest = text[nfsServer.Length..];
            int space = rest.IndexOf(' ');
            if (space <= 0) return null;
            string server = rest[..space];
            string tail = rest[(space + 1)..];
            if (tail.StartsWith("not responding", StringComparison.Ordinal)) return new(ServerNotResponding, server, 0, seconds, text);
            if (tail.StartsWith("OK", StringComparison.Ordinal)) return new(ServerOk, server, 0, seconds, text);
            return null;
        }
        // CIFS: "CIFS: VFS: \\server has not responded in 180 seconds. Reconnecting..." (fs/smb/client/connect.c,
        // cifs_server_dbg prefixes the server's host name) or, on older kernels, "CIFS VFS: Server X has not responded ...".
        int notResponded = text.IndexOf(" has not responded in ", StringComparison.Ordinal);
        if (notResponded > 0 && text.StartsWith("CIFS", StringComparison.Ordinal))
        {
            string head = text[..notResponded];
            int start = head.LastIndexOf(' ') + 1;
            string name = head[start..].TrimStart('\\');
            // Some kernels print no name ("\\ has not responded"): the line still says a CIFS server is down.
            return new(ServerNotResponding, name.Length > 0 ? name : null, 0, seconds, text);
        }
        const string task = "INFO: task ";
        const string blocked = " blocked for more than ";
        if (text.StartsWith(task, StringComparison.Ordinal))
        {
            int b = text.IndexOf(blocked, task.Length, StringComparison.Ordinal);
            if (b < task.Length) return null;
            string who = text[task.Length..b];
            // The command name may itself contain ':' (kworker/u4:1), or be empty (prctl can set that).
            int colon = who.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(who.AsSpan(colon + 1), out int pid)) return null;
            return new(HungTask, null, pid, seconds, text);
        }
        return null;
    }
}
