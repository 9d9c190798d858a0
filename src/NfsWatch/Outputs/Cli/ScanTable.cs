using System.Text;
using NfsWatch.Core;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Report;

namespace NfsWatch.Outputs.Cli;

/// <summary>
/// The scan as a person on call reads it at 3 a.m.: first what to do, then what hangs, for how long, where
/// in the kernel and why. It renders the report; every judgement in it was made by the report pipeline.
/// </summary>
public static class ScanTable
{
    private const int StackFramesShown = 8;

    public static string Render(ScanReport s, string version)
    {
        var o = new StringBuilder();
        o.AppendLine($"NfsWatch {version} on kernel {s.Kernel.Release} ({s.Kernel.Machine}): " +
                     $"{s.ScannedThreads} threads scanned in {Duration.Format(s.Duration.TotalSeconds)}, " +
                     $"hung means {Duration.Format(s.ThresholdSeconds)} or more in a mount system call or blocked in I/O.");
        o.AppendLine($"Watching through {s.Watching} ({s.WatchingWhy}).");
        // The BPF probe's absence is said on the line above: procfs then does its work.
        foreach (var probe in s.MissingProbes.Where(p => p.Name != NfsWatch.Core.Detection.Probe.Bpf))
            o.AppendLine(probe.Denied > 0
                ? $"Probe '{probe.Name}' refused for {Plural(probe.Denied, "thread")}{(probe.Example is { } example ? $", such as {example}" : "")}: {probe.Consequence}."
                : $"Probe '{probe.Name}' not available: {probe.Consequence}.");
        if (s.StalledProcesses.Count > 0)
            o.AppendLine($"Reading the proc files of pid {string.Join(", ", s.StalledProcesses)} blocked (a task there holds a lock that proc needs, " +
                         "such as an exec stuck on a dead NFS server): skipped, so their threads are not shown.");
        foreach (var (probe, count) in s.Errors)
            o.AppendLine($"{count} read(s) of '{probe}' failed; first: {s.ErrorSamples.FirstOrDefault(e => e.Contains(probe, StringComparison.Ordinal)) ?? s.ErrorSamples.FirstOrDefault()}");
        o.AppendLine();

        if (s.Actions.Count > 0)
        {
            o.AppendLine("WHAT TO DO");
            foreach (var action in s.Actions) o.AppendLine(Wrap("  * ", action.Summary));
            o.AppendLine();
        }

        var hung = s.MountCalls.Where(c => c.Hung).OrderBy(Order).ToList();
        var young = s.MountCalls.Where(c => !c.Hung).ToList();
        if (hung.Count > 0)
        {
            o.AppendLine(hung.Count == 1
                ? $"1 thread is HUNG in a mount system call (for {Duration.Format(hung[0].StuckSeconds)}):"
                : $"{hung.Count} threads are HUNG in mount system calls (oldest for {Duration.Format(hung.Max(h => h.StuckSeconds))}):");
            AppendRows(o, hung);
        }
        else if (s.MountCalls.Count == 0) o.AppendLine("No thread is inside a mount system call.");
        else o.AppendLine("No mount hangs yet.");
        if (young.Count > 0)
        {
            o.AppendLine();
            o.AppendLine(young.Count == 1
                ? "1 thread is inside a mount system call, not yet past the threshold:"
                : $"{young.Count} threads are inside mount system calls, not yet past the threshold:");
            AppendRows(o, young);
        }
        // Blocked threads under a heading that says what the evidence says, most telling first.
        foreach (var group in s.HungBlocked.GroupBy(b => b.Cause).OrderBy(g => g.Key switch
                 {
                     HangCause.ServerNotResponding => 0, HangCause.NoReplyFromServer => 1, HangCause.ClientState => 2, _ => 3,
                 }))
        {
            var rows = group.OrderBy(Order).ToList();
            o.AppendLine();
            o.AppendLine($"{Plural(rows.Count, "thread")} {(rows.Count == 1 ? "is" : "are")} BLOCKED {Heading(group.Key, rows)}:");
            AppendRows(o, rows);
        }
        if (s.NfsMounts.Count > 0)
        {
            o.AppendLine();
            o.AppendLine($"{Plural(s.NfsMounts.Count, "NFS mount")} established: " + string.Join("; ", s.NfsMounts.Take(5).Select(m =>
                $"{m.Mount.Source} on {m.Mount.MountPoint} (NFS {m.NfsVersion ?? "?"}{(m.Mount.Retransmissions > 0 ? $", {m.Mount.Retransmissions} retransmissions" : "")})"))
                + (s.NfsMounts.Count > 5 ? "; ..." : ""));
        }
        if (!s.AnyHung)
            o.AppendLine(s.UncheckedThreads > 0
                // Not "Nothing hangs": a mount call in a thread whose syscall file was refused cannot be seen.
                ? $"Nothing hangs among the threads it could read; {Plural(s.UncheckedThreads, "thread")} could not be checked (run it as root)."
                : "Nothing hangs.");
        return o.ToString();
    }

    /// <summary>Blockers first, then the threads waiting for them, then the rest; oldest first within each.</summary>
    private static int Order(HangReport r) => r.Role switch { "blocker" => 0, "waiter" => 1, _ => 2 };

    /// <summary>The heading of blocked threads, from their cause and the servers they wait on.</summary>
    private static string Heading(HangCause cause, List<HangReport> rows)
    {
        var servers = rows.Select(r => r.Server).OfType<string>().Distinct().ToList();
        string on = servers.Count == 0 ? "" : servers.Count == 1 ? $" {servers[0]}" : $"s {string.Join(", ", servers.Take(3))}{(servers.Count > 3 ? ", ..." : "")}";
        return cause switch
        {
            HangCause.ServerNotResponding => $"in I/O: the kernel log says server{on} is not responding",
            HangCause.NoReplyFromServer => servers.Count > 0 ? $"waiting for a reply from server{on} (nothing says it is down yet)" : "waiting for a reply from their server",
            HangCause.ClientState => "waiting for a lock or state of this host held by another thread",
            _ => "in uninterruptible sleep (cause unknown)",
        };
    }

    private static void AppendRows(StringBuilder o, List<HangReport> calls)
    {
        string[] header = ["PID", "TID", "COMMAND", "SYSCALL", "STATE", "STUCK", "ROLE", "WCHAN", "MOUNT"];
        var rows = calls.Select(c => new[]
        {
            c.Pid.ToString(), c.Tid.ToString(), c.Comm, c.Thread.Syscall ?? "-", c.Thread.State.ToString(),
            Duration.Format(c.StuckSeconds), c.Role ?? "-", c.Thread.Wchan ?? "-", DescribeMount(c),
        }).ToList();
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];
        o.AppendLine("  " + string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        for (int r = 0; r < rows.Count; r++)
        {
            var c = calls[r];
            o.AppendLine("  " + string.Join("  ", rows[r].Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
            var stack = c.Thread.Stack;
            if (stack.Count > 0)
                o.AppendLine("      kernel stack: " + string.Join(" < ", stack.Take(StackFramesShown)) + (stack.Count > StackFramesShown ? " < ..." : ""));
            if (c.Options is not null) o.AppendLine($"      options: {c.Options}");
            if (c.Owner.Unit is not null || c.Owner.ContainerId is not null)
                o.AppendLine("      owner: " + string.Join(", ", new[] { c.Owner.Unit is null ? null : $"unit {c.Owner.Unit}",
                    c.Owner.ContainerId is null ? null : $"container {c.Owner.ContainerId[..Math.Min(12, c.Owner.ContainerId.Length)]}",
                    c.Owner.EcsTask is null ? null : $"ECS task {c.Owner.EcsTaskFamily} ({c.Owner.EcsTask})" }.OfType<string>()));
            if (c.WaitsFor is { } on) o.AppendLine(Wrap("      waits for: ", $"pid {on.Pid} (thread {on.Tid}, {on.Comm}): {on.On}"));
            else if (c.WaitsOn is { } unheld) o.AppendLine(Wrap("      waits for: ", $"{unheld} (holder not found)"));
            if (c.Signature is not null)
            {
                o.AppendLine(Wrap("      known problem: ", $"{c.Signature.Title} [{c.Signature.Id}]"));
                o.AppendLine(Wrap("      reference: ", c.Signature.Reference));
            }
            if (c.Triage is not null) o.AppendLine(Wrap("      ", c.Triage));
            foreach (string line in c.KernelLog) o.AppendLine($"      kernel log: {line}");
        }
    }

    /// <summary>What is known of the mount: "nfs4 server:/export on /mnt (NFS 4.1)", or "not known yet".</summary>
    public static string DescribeMount(HangReport c)
    {
        if (c.FsType is null && c.Source is null && c.Target is null) return "not known yet";
        var text = new StringBuilder(c.FsType ?? (c.How is null ? "?" : $"{c.How} mount of"));
        if (c.Source is not null) text.Append(' ').Append(c.Source);
        if (c.Target is not null) text.Append(" on ").Append(c.Target);
        if (c.NfsVersion is not null) text.Append($" (NFS {c.NfsVersion})");
        return text.ToString();
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Wrap(string indent, string text, int width = 110)
    {
        var lines = new List<string>();
        var line = new StringBuilder(indent);
        foreach (string word in text.Split(' '))
        {
            if (line.Length + word.Length + 1 > width && line.Length > indent.Length)
            {
                lines.Add(line.ToString().TrimEnd());
                line.Clear().Append(new string(' ', indent.Length));
            }
            line.Append(word).Append(' ');
        }
        lines.Add(line.ToString().TrimEnd());
        return string.Join(Environment.NewLine, lines);
    }
}
