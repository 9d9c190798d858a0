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

    /// <summary>The largest pid and tid Linux gives (PID_MAX_LIMIT, 2^22).</summary>
    private const int PidMax = 1 << 22;

    public static List<TrackedCall> Parse(string text) => Parse(text, DateTimeOffset.UtcNow, out _);

    /// <summary>
    /// Parses <see cref="Format"/>'s output. A line that is malformed or out of range (a pid past PID_MAX_LIMIT, a
    /// system call number that is none, a time before 2000 or after <paramref name="now"/> plus a day) is skipped
    /// and counted in <paramref name="rejected"/>: the file is advisory, and whoever wrote it is not trusted.
    /// </summary>
    public static List<TrackedCall> Parse(string text, DateTimeOffset now, out int rejected)
    {
        rejected = 0;
        long earliest = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), latest = (now + TimeSpan.FromDays(1)).ToUnixTimeMilliseconds();
        var calls = new List<TrackedCall>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length != 11 || !int.TryParse(f[0], out int pid) || !int.TryParse(f[1], out int tid) ||
                !ulong.TryParse(f[2], out ulong start) || !int.TryParse(f[3], out int nr) || !long.TryParse(f[10], out long ms)
                || pid is <= 0 or > PidMax || tid is <= 0 or > PidMax || nr is < -1 or > 4096 || ms < earliest || ms > latest)
            {
                rejected++;
                continue;
            }
            var args = new SyscallArgs();
            bool ok = true;
            for (int i = 0; i < 6 && ok; i++) ok = ulong.TryParse(f[4 + i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out args[i]);
            if (ok) calls.Add(new TrackedCall(new ThreadKey(pid, tid, start), nr, args, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
            else rejected++;
        }
        return calls;
    }
}
