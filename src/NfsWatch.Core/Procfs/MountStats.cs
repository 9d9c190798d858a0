using System.Text;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// One NFS mount of /proc/PID/mountstats (fs/nfs/super.c nfs_show_stats; format statvers=1.1):
/// <code>
/// device 10.0.1.9:/ mounted on /mnt/efs with fstype nfs4 statvers=1.1
///     opts:   rw,vers=4.1,rsize=1048576,...,addr=10.0.1.9
///     xprt:   tcp 0 1 1 0 12 SENDS RECVS BAD_XIDS REQ_U BKLOG_U ...
///     per-op statistics
///             GETATTR: OPS TRANS TIMEOUTS BYTES_SENT BYTES_RECV QUEUE RTT EXECUTE [ERRORS]
/// </code>
/// Retransmissions are TRANS - OPS summed over operations; BKLOG_U / SENDS is the mean backlog queue length.
/// Non-NFS mounts ("device proc mounted on /proc with fstype proc") are skipped.
/// </summary>
public sealed record NfsMountStats(string Source, string MountPoint, string FsType, string Options,
    ulong Operations, ulong Transmissions, ulong Timeouts, ulong Sends, ulong BacklogSum)
{
    public ulong Retransmissions => Transmissions > Operations ? Transmissions - Operations : 0;

    public static List<NfsMountStats> ParseAll(ReadOnlySpan<byte> text)
    {
        var result = new List<NfsMountStats>();
        NfsMountStats? current = null;
        bool inOps = false;
        Span<ulong> f = stackalloc ulong[3];
        foreach (var range in text.Split((byte)'\n'))
        {
            var line = text[range];
            if (line.StartsWith("device "u8))
            {
                if (current is not null) result.Add(current);
                current = ParseDevice(line);
                inOps = false;
                continue;
            }
            if (current is null) continue;
            var trimmed = line.TrimStart(" \t"u8);
            if (trimmed.StartsWith("opts:"u8)) current = current with { Options = Encoding.UTF8.GetString(trimmed[5..].Trim(" \t"u8)) };
            else if (trimmed.StartsWith("xprt:"u8)) current = ParseXprt(current, trimmed[5..]);
            else if (trimmed.StartsWith("per-op statistics"u8)) inOps = true;
            else if (inOps && trimmed.IndexOf((byte)':') is > 0 and var colon)
            {
                int n = 0;
                foreach (var token in new SpaceTokens(trimmed[(colon + 1)..]))
                {
                    if (n == 3 || !Numbers.TryParseULong(token, out f[n])) break;
                    n++;
                }
                if (n == 3) current = current with { Operations = current.Operations + f[0], Transmissions = current.Transmissions + f[1], Timeouts = current.Timeouts + f[2] };
            }
        }
        if (current is not null) result.Add(current);
        return result;
    }

    private static NfsMountStats? ParseDevice(ReadOnlySpan<byte> line)
    {
        // "device SOURCE mounted on MOUNTPOINT with fstype TYPE [statvers=1.1]"; paths are octal-escaped.
        int on = line.IndexOf(" mounted on "u8);
        int with = line.LastIndexOf(" with fstype "u8);
        // The kernel never prints "device mounted on" or "mounted on with fstype", but the ranges below must not
        // run backwards when a line does.
        if (on < "device ".Length || with < on + " mounted on ".Length) return null;
        string source = MountInfo.Unescape(line["device ".Length..on]);
        string mountPoint = MountInfo.Unescape(line[(on + " mounted on ".Length)..with]);
        var rest = line[(with + " with fstype ".Length)..];
        int sp = rest.IndexOf((byte)' ');
        string fstype = Encoding.UTF8.GetString(sp < 0 ? rest : rest[..sp]);
        return fstype is "nfs" or "nfs4" ? new NfsMountStats(source, mountPoint, fstype, "", 0, 0, 0, 0, 0) : null;
    }

    private static NfsMountStats ParseXprt(NfsMountStats m, ReadOnlySpan<byte> fields)
    {
        // tcp: port bind_count connect_count connect_time idle_time sends recvs bad_xids req_u bklog_u ...
        // udp: port bind_count sends recvs bad_xids req_u bklog_u ...   (net/sunrpc/xprtsock.c)
        var tokens = new List<ulong>();
        string? proto = null;
        foreach (var token in new SpaceTokens(fields))
        {
            if (proto is null) { proto = Encoding.ASCII.GetString(token); continue; }
            tokens.Add(Numbers.TryParseULong(token, out ulong v) ? v : 0);
        }
        (int sends, int bklog) = proto == "udp" ? (2, 6) : (5, 9);
        if (tokens.Count <= bklog) return m;
        // One line per transport (nconnect=N prints N): their counts add up.
        return m with { Sends = m.Sends + tokens[sends], BacklogSum = m.BacklogSum + tokens[bklog] };
    }
}
