using System.Text;
using NfsWatch.Configuration;
using NfsWatch.Core.Detection;

namespace NfsWatch.Outputs.Cli;

/// <summary>The scan as a person on call reads it: what hangs, for how long, where in the kernel.</summary>
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
            o.AppendLine($"Probe '{probe}' refused for {Plural(s.DeniedReads.GetValueOrDefault(probe), "thread")}" +
                         $"{(s.DeniedExamples.TryGetValue(probe, out string? example) ? $", such as {example}" : "")}: {Probe.Consequence(probe)}.");
        foreach (var (probe, count) in s.Errors)
            o.AppendLine($"{count} read(s) of '{probe}' failed; first: {s.ErrorSamples.FirstOrDefault(e => e.Contains(probe, StringComparison.Ordinal)) ?? s.ErrorSamples.FirstOrDefault()}");
        o.AppendLine();

        var hung = s.MountCalls.Where(c => c.Hung).ToList();
        var young = s.MountCalls.Where(c => !c.Hung).ToList();
        if (s.MountCalls.Count == 0)
        {
            o.AppendLine("No thread is inside a mount system call. Nothing hangs.");
            return o.ToString();
        }
        if (hung.Count > 0)
        {
            o.AppendLine(hung.Count == 1
                ? $"1 thread is HUNG in a mount system call (for {Duration.Format(hung[0].StuckSeconds)}):"
                : $"{hung.Count} threads are HUNG in mount system calls (oldest for {Duration.Format(hung[0].StuckSeconds)}):");
            AppendRows(o, hung);
        }
        else o.AppendLine("Nothing hangs yet.");
        if (young.Count > 0)
        {
            o.AppendLine();
            o.AppendLine(young.Count == 1
                ? "1 thread is inside a mount system call, not yet past the threshold:"
                : $"{young.Count} threads are inside mount system calls, not yet past the threshold:");
            AppendRows(o, young);
        }
        return o.ToString();
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static void AppendRows(StringBuilder o, List<MountCall> calls)
    {
        string[] header = ["PID", "TID", "COMMAND", "SYSCALL", "STATE", "STUCK", "WCHAN", "MOUNT"];
        var rows = calls.Select(c => new[]
        {
            c.Pid.ToString(), c.Tid.ToString(), c.Comm, c.Syscall, c.State.ToString(),
            Duration.Format(c.StuckSeconds), c.Wchan ?? "-", DescribeMount(c),
        }).ToList();
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];
        o.AppendLine("  " + string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        for (int r = 0; r < rows.Count; r++)
        {
            o.AppendLine("  " + string.Join("  ", rows[r].Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
            var stack = calls[r].Stack;
            if (stack.Count > 0)
                o.AppendLine("      kernel stack: " + string.Join(" < ", stack.Take(StackFramesShown)) + (stack.Count > StackFramesShown ? " < ..." : ""));
        }
    }

    /// <summary>What is known of the mount: "nfs4 server:/export on /mnt (NFS 4.1)", or "not known yet".</summary>
    private static string DescribeMount(MountCall c)
    {
        if (c.FsType is null && c.Source is null && c.Target is null) return "not known yet";
        var text = new StringBuilder(c.FsType ?? "?");
        if (c.Source is not null) text.Append(' ').Append(c.Source);
        if (c.Target is not null) text.Append(" on ").Append(c.Target);
        if (c.NfsVersion is not null) text.Append($" (NFS {c.NfsVersion})");
        return text.ToString();
    }
}
