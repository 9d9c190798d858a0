using System.Text;
using NfsWatch.Core;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Outputs.Cli;

/// <summary>
/// The scan as a person on call reads it at 3 a.m.: first what to do, then what hangs, for how long, where
/// in the kernel and why.
/// </summary>
public static class ScanTable
{
    private const int StackFramesShown = 8;

    public static string Render(ScanSnapshot s, string version)
    {
        var o = new StringBuilder();
        o.AppendLine($"NfsWatch {version} on kernel {s.Kernel.Release} ({s.Kernel.Machine}): " +
                     $"{s.ScannedThreads} threads scanned in {Duration.Format(s.Duration.TotalSeconds)}, " +
                     $"hung means {Duration.Format(s.ThresholdSeconds)} or more in a mount system call.");
        foreach (string probe in s.MissingProbes)
            o.AppendLine(s.DeniedReads.TryGetValue(probe, out int denied)
                ? $"Probe '{probe}' refused for {Plural(denied, "thread")}" +
                  $"{(s.DeniedExamples.TryGetValue(probe, out string? example) ? $", such as {example}" : "")}: {Probe.Consequence(probe)}."
                : $"Probe '{probe}' not available: {Probe.Consequence(probe)}.");
        if (s.StalledProcesses.Count > 0)
            o.AppendLine($"Reading the proc files of pid {string.Join(", ", s.StalledProcesses)} blocked (a task there holds a lock that proc needs, " +
                         "such as an exec stuck on a dead NFS server): skipped, so their threads are not shown.");
        foreach (var (probe, count) in s.Errors)
            o.AppendLine($"{count} read(s) of '{probe}' failed; first: {s.ErrorSamples.FirstOrDefault(e => e.Contains(probe, StringComparison.Ordinal)) ?? s.ErrorSamples.FirstOrDefault()}");
        o.AppendLine();

        var hung = s.MountCalls.Where(c => c.Hung).ToList();
        var young = s.MountCalls.Where(c => !c.Hung).ToList();
        var blocked = s.NfsBlocked.Where(c => c.Hung).ToList();
        AppendWhatToDo(o, hung, blocked);

        if (hung.Count > 0)
        {
            o.AppendLine(hung.Count == 1
                ? $"1 thread is HUNG in a mount system call (for {Duration.Format(hung[0].StuckSeconds)}):"
                : $"{hung.Count} threads are HUNG in mount system calls (oldest for {Duration.Format(hung[0].StuckSeconds)}):");
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
        if (blocked.Count > 0)
        {
            o.AppendLine();
            o.AppendLine($"{Plural(blocked.Count, "thread")} blocked in NFS outside mount calls (I/O on a mount whose server does not answer):");
            AppendRows(o, blocked);
        }
        if (s.NfsMounts.Count > 0)
        {
            o.AppendLine();
            o.AppendLine($"{Plural(s.NfsMounts.Count, "NFS mount")} established: " + string.Join("; ", s.NfsMounts.Take(5).Select(m =>
                $"{m.Source} on {m.MountPoint} (NFS {NfsOptions.Version(m.FsType, m.Options, fromKernel: true) ?? "?"}{(m.Retransmissions > 0 ? $", {m.Retransmissions} retransmissions" : "")})"))
                + (s.NfsMounts.Count > 5 ? "; ..." : ""));
        }
        if (hung.Count == 0 && blocked.Count == 0)
            o.AppendLine(s.DeniedReads.TryGetValue(Probe.Syscall, out int unseen) && unseen > 0
                // Not "Nothing hangs": a mount call in a thread whose syscall file was refused cannot be seen.
                ? $"Nothing hangs among the threads it could read; {Plural(unseen, "thread")} could not be checked (run it as root)."
                : "Nothing hangs."); 
        return o.ToString();
    }

    /// <summary>The actions, most useful first: end a blocker, fix a server, mind a known kernel bug.</summary>
    private static void AppendWhatToDo(StringBuilder o, List<StuckThread> hung, List<StuckThread> blocked)
    {
        var actions = new List<string>();
        foreach (var b in hung.Where(c => c.Role == "blocker"))
        {
            var waiters = hung.Where(c => c.Role == "waiter" && c.Signature?.Id == b.Signature?.Id).ToList();
            string server = b.Server ?? b.Source ?? "its server";
            actions.Add($"End pid {b.Pid} ({b.Comm}): kill -9 {b.Pid}. It has been setting up an NFS client for {server} " +
                        $"for {Duration.Format(b.StuckSeconds)}, and {Plural(waiters.Count, "mount")} {(waiters.Count == 1 ? "waits" : "wait")} behind it: " +
                        string.Join(", ", waiters.Take(5).Select(w => $"pid {w.Pid} ({w.Comm}{(w.Server is null ? "" : $" mounting {w.Server}")})")) +
                        (waiters.Count > 5 ? $" and {waiters.Count - 5} more" : "") +
                        $". Or fix server {server}." + (b.Signature is null ? "" : $" Known problem: {b.Signature.Title}."));
        }
        if (hung.Any(c => c.Role == "waiter") && !hung.Any(c => c.Role == "blocker"))
            actions.Add(hung.First(c => c.Role == "waiter").Triage + Known(hung.First(c => c.Role == "waiter")));
        foreach (var c in hung.Where(c => c.Role is null && c.Signature is not null).DistinctBy(c => (c.Signature!.Id, c.Server)))
            actions.Add($"pid {c.Pid} ({c.Comm}) mounting {c.Source ?? c.Server ?? "?"}: {c.Signature!.Title}. {c.Signature.Remediation}");
        foreach (var c in blocked.Where(c => c.Signature is not null).DistinctBy(c => (c.Signature!.Id, c.Server)))
            actions.Add($"{Plural(blocked.Count(b => b.Server == c.Server), "thread")} {(blocked.Count(b => b.Server == c.Server) == 1 ? "waits" : "wait")} on {c.Server ?? "an NFS server"}" +
                        $"{(c.Target is null ? "" : $" (mount {c.Target})")}: {c.Signature!.Title}. {c.Signature.Remediation}");
        if (actions.Count == 0) return;
        o.AppendLine("WHAT TO DO");
        foreach (string action in actions) o.AppendLine(Wrap("  * ", action));
        o.AppendLine();
    }

    private static string Known(StuckThread c) => c.Signature is null ? "" : $" Known problem: {c.Signature.Title}. {c.Signature.Remediation}";

    private static void AppendRows(StringBuilder o, List<StuckThread> calls)
    {
        string[] header = ["PID", "TID", "COMMAND", "SYSCALL", "STATE", "STUCK", "ROLE", "WCHAN", "MOUNT"];
        var rows = calls.Select(c => new[]
        {
            c.Pid.ToString(), c.Tid.ToString(), c.Comm, c.Syscall ?? "-", c.State.ToString(),
            Duration.Format(c.StuckSeconds), c.Role ?? "-", c.Wchan ?? "-", DescribeMount(c),
        }).ToList();
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];
        o.AppendLine("  " + string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        for (int r = 0; r < rows.Count; r++)
        {
            var c = calls[r];
            o.AppendLine("  " + string.Join("  ", rows[r].Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
            if (c.Stack.Count > 0)
                o.AppendLine("      kernel stack: " + string.Join(" < ", c.Stack.Take(StackFramesShown)) + (c.Stack.Count > StackFramesShown ? " < ..." : ""));
            if (c.Options is not null) o.AppendLine($"      options: {c.Options}");
            if (c.Unit is not null || c.ContainerId is not null)
                o.AppendLine("      owner: " + string.Join(", ", new[] { c.Unit is null ? null : $"unit {c.Unit}", c.ContainerId is null ? null : $"container {c.ContainerId[..12]}",
                    c.EcsTask is null ? null : $"ECS task {c.EcsTaskFamily} ({c.EcsTask})" }.OfType<string>()));
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
    public static string DescribeMount(StuckThread c)
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
