using NfsWatch.Configuration;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Report;
using NfsWatch.Outputs.Cli;

namespace NfsWatch.Hosting;

/// <summary><c>nfswatch scan</c>: one scan now, for the person on call.</summary>
public static class ScanCommand
{
    public static int Run(NfsWatchOptions options)
    {
        ScanReport snapshot;
        (List<TrackedCall> Calls, TimeSpan Age)? handover;
        var mountUnits = new SystemdMountUnits();
        try
        {
            var cycle = Watcher.Build(options, followFromNow: false, out var ecs);
            // At most its 1 s timeout; the scan goes on without task names when the agent does not answer.
            ecs?.RefreshAsync().GetAwaiter().GetResult();
            var listed = mountUnits.ListAsync(MountUnitsWatcher.Timeout).GetAwaiter().GetResult();
            var inputs = new HostInputs(ecs).Current() with { MountUnits = listed, MountUnitsProblem = mountUnits.Problem };
            handover = CallHandover.TryRead(options.StateDir, out string? ignored);
            if (ignored is not null) Console.Error.WriteLine($"nfswatch: ignoring {CallHandover.PathIn(options.StateDir)}: {ignored}");
            if (handover is { } h) cycle.Scanner.Seed(h.Calls);
            // A proc read that blocks (a lock held by a task stuck on a dead server) abandons that scan and
            // skips the process; a few such processes and the scan still answers.
            ScanReport? result = null;
            for (int attempt = 0; attempt < 4 && result is null; attempt++)
            {
                result = cycle.RunGuarded(inputs, CancellationToken.None, out var stalledOn);
                if (result is null) Console.Error.WriteLine($"nfswatch: reading /proc/{stalledOn!.Value.Pid}/task/{stalledOn.Value.Tid} blocked for {NfsWatch.Core.Duration.FormatOption(cycle.Deadline)}; skipping that process");
            }
            snapshot = result ?? throw new ScanFailedException("every scan blocked on a proc read");
        }
        catch (ScanFailedException e)
        {
            Console.Error.WriteLine($"nfswatch: the scan could not run: {e.Message}");
            return ExitCodes.Usage;
        }
        var units = snapshot.MountUnits;
        if (options.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            ScanJson.Write(stdout, snapshot, BuildInfo.Version);
            stdout.Write("\n"u8);
        }
        else
        {
            Console.Out.Write(ScanTable.Render(snapshot, BuildInfo.Version));
            var stuckUnits = units?.Where(u => u.ActiveState == "failed" || (u.ActiveState == "activating" && u.Seconds >= options.Threshold.TotalSeconds)).ToList();
            if (stuckUnits is { Count: > 0 })
                Console.Out.WriteLine("systemd mount units: " + string.Join("; ", stuckUnits.Select(u =>
                    u.ActiveState == "failed" ? $"{u.Name} failed" : $"{u.Name} activating for {NfsWatch.Core.Duration.Format(u.Seconds)}")));
            else if (units is null) Console.Out.WriteLine($"(No view of systemd's mount units: {snapshot.MountUnitsProblem}.)");
            Console.Out.WriteLine(handover is { } h
                ? $"(Ages include what the running daemon has seen: {CallHandover.PathIn(options.StateDir)}, written {NfsWatch.Core.Duration.Format(h.Age.TotalSeconds)} ago.)"
                : "(Ages are lower bounds from this one scan: no running daemon's state in " + options.StateDir + ".)");
        }
        // 1 when any thread hangs, in a mount-family call or blocked in I/O; 0 only when nothing does.
        return snapshot.AnyHung ? ExitCodes.Hung : ExitCodes.Ok;
    }
}
