using System.Globalization;
using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>A call a watcher is tracking: which thread, which call, and since when it has been seen there.</summary>
public sealed record TrackedCall(ThreadKey Key, int Number, SyscallArgs Args, DateTimeOffset FirstSeen)
{
    /// <summary>
    /// The daemon's hand-over to `nfswatch scan`: one line per call, "PID TID START NR A0..A5 FIRST_SEEN_UNIX_MS".
    /// A thread blocked in a synchronous RPC runs at each retransmission, so "time since it last ran" alone
    /// understates a long hang; the daemon has watched it all along.
    /// </summary>
    public static string Format(IEnumerable<TrackedCall> calls)
    {
        var o = new StringBuilder();
        foreach (var c in calls)
        {
            o.Append(CultureInfo.InvariantCulture, $"{c.Key.Pid} {c.Key.Tid} {c.Key.StartTimeTicks} {c.Number}");
            for (int i = 0; i < 6; i++) o.Append(' ').Append(c.Args[i].ToString("x", CultureInfo.InvariantCulture));
            o.Append(CultureInfo.InvariantCulture, $" {c.FirstSeen.ToUnixTimeMilliseconds()}\n");
        }
        return o.ToString();
    }

    /// <summary>Parses <see cref="Format"/>'s output; malformed lines are skipped (the file is advisory).</summary>
    public static List<TrackedCall> Parse(string text)
    {
        var calls = new List<TrackedCall>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length != 11 || !int.TryParse(f[0], out int pid) || !int.TryParse(f[1], out int tid) ||
                !ulong.TryParse(f[2], out ulong start) || !int.TryParse(f[3], out int nr) || !long.TryParse(f[10], out long ms)) continue;
            var args = new SyscallArgs();
            bool ok = true;
            for (int i = 0; i < 6 && ok; i++) ok = ulong.TryParse(f[4 + i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out args[i]);
            if (ok) calls.Add(new TrackedCall(new ThreadKey(pid, tid, start), nr, args, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }
        return calls;
    }
}
