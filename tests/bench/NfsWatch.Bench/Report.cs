using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NfsWatch.Bench;

/// <summary>The results file: what was measured, on what, and each target with its measured ratio.</summary>
internal static class Report
{
    /// <summary>RSS: 25 MiB with the hand-written HTTP server, 30 MiB since Kestrel serves /metrics.</summary>
    public const double FloorTarget = 1.5, RssTargetMiB = 30, CoreTarget = 0.005, BpfCoreTarget = 0.0005;

    public static string Markdown(Settings s, List<(string Label, Pass NfsWatch, Pass Floor)> synthetic, List<Pass> live, List<DaemonRun> daemons,
        List<SyscallCost> syscalls, string? bpfProblem)
    {
        var daemon = daemons.FirstOrDefault(d => d.Probe == "procfs");
        var bpfDaemon = daemons.FirstOrDefault(d => d.Probe == "bpf");
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# NfsWatch benchmark results");
        md.AppendLine();
        md.AppendLine(c, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; kernel {Read("/proc/sys/kernel/osrelease")}; {Environment.ProcessorCount} CPUs ({Cpu()}); " +
                         $"{RuntimeInformation.OSArchitecture}; Native AOT. Produced by `tests/bench/run`.");
        md.AppendLine();
        md.AppendLine("## Scan cost on synthetic proc trees");
        md.AppendLine();
        md.AppendLine("Per pass over every thread: NfsWatch's whole round as the daemon runs it (scan, explanation, metrics update; process CPU time, " +
                      "the collector's included) against the C floor reading the same files. Files on tmpfs, so this is the user-space cost; " +
                      "the kernel's cost of generating real proc files is in the live table.");
        md.AppendLine();
        md.AppendLine("| threads | NfsWatch wall | NfsWatch CPU | CPU per thread | allocated per scan | C floor CPU | floor per thread | NfsWatch / floor |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (label, ours, floor) in synthetic)
            md.AppendLine(c, $"| {ours.Threads:N0} | {Ns(ours.WallNs)} | {Ns(ours.CpuNs)} | {Ns(ours.CpuPerThreadNs)} | {Bytes(ours.AllocBytes ?? 0)} | " +
                             $"{Ns(floor.CpuNs)} | {Ns(floor.CpuPerThreadNs)} | **{ours.CpuPerThreadNs / floor.CpuPerThreadNs:0.00}x** |");
        md.AppendLine();

        var nfswatch = live.FirstOrDefault(p => p.Tool.StartsWith("NfsWatch (", StringComparison.Ordinal));
        if (nfswatch is not null)
        {
            md.AppendLine(c, $"## The live host: /proc with {s.Live:N0} extra real threads");
            md.AppendLine();
            md.AppendLine("Every tool over the same /proc in the same run. ps is timed as whole runs (start-up included, as the person on call pays it); " +
                          "process-exporter per scrape, its CPU from /proc/PID/stat. NfsWatch bpf: the same round with the BPF probe, which reads the " +
                          "proc files of the threads the kernel names only (its threads seen: those its task iterator visited), its kernel time included.");
            md.AppendLine();
            md.AppendLine("| tool | threads seen | wall per pass | CPU per pass | CPU per thread | CPU vs NfsWatch |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var p in live)
                md.AppendLine(c, $"| {p.Tool}{(p.Note is null ? "" : $" ({p.Note})")} | {p.Threads:N0} | {Ns(p.WallNs)} | {Ns(p.CpuNs)} | {Ns(p.CpuPerThreadNs)} | {p.CpuPerThreadNs / nfswatch.CpuPerThreadNs:0.00}x |");
            md.AppendLine();
        }

        if (daemons.Count > 0)
        {
            md.AppendLine("## The running daemon");
            md.AppendLine();
            md.AppendLine(c, $"The shipped Native AOT binary, `nfswatch run --probe PROBE --interval {daemons[0].IntervalSeconds}s`, over the live /proc " +
                             $"({daemons[0].Threads:N0} threads), scraped every 15 s, measured for {daemons[0].Seconds:0} s after a 15 s warm-up; one probe after the other.");
            md.AppendLine();
            md.AppendLine("| probe | threads | scans | mean scan (wall) | share of one core | of it in the kernel | RSS at the end | peak RSS | binary |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var d in daemons)
                md.AppendLine(c, $"| {d.Probe} | {d.Threads:N0} | {d.Scans} | {d.MeanScanMs:0.0} ms | {d.CpuFraction * 100:0.000}% | {d.KernelShare * 100:0}% | {d.RssMiB:0.0} MiB | {d.PeakRssMiB:0.0} MiB | {d.BinaryBytes / 1e6:0.0} MB |");
            md.AppendLine();
        }
        if (bpfProblem is not null)
        {
            md.AppendLine(c, $"The BPF probe could not be measured here: {bpfProblem}");
            md.AppendLine();
        }

        if (syscalls.Count > 0)
        {
            md.AppendLine("## What the BPF probe adds to system calls");
            md.AppendLine();
            md.AppendLine("`tests/bench/syscalls.c`: the best mean of 5 batches, without the probe and with it attached, three times in turn (medians). " +
                          "mount(2) and umount2(2) of a path that does not exist fail at once, so they show what the entry and exit programs cost; " +
                          "getppid(2) stands for every other call.");
            md.AppendLine();
            md.AppendLine("| call | without | with the probe | added |");
            md.AppendLine("|---|---:|---:|---:|");
            foreach (var x in syscalls)
                md.AppendLine(c, $"| {x.Call} | {x.WithoutNs:0} ns | {x.WithNs:0} ns | {x.AddedNs:0} ns ({x.AddedNs / x.WithoutNs * 100:0}%) |");
            md.AppendLine();
        }

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var (_, ours, floor) in synthetic)
            Target(md, $"per thread at most {FloorTarget}x the C floor ({ours.Threads:N0} synthetic)", ours.CpuPerThreadNs / floor.CpuPerThreadNs, FloorTarget, "x");
        var liveFloor = live.FirstOrDefault(p => p.Tool.StartsWith("C floor", StringComparison.Ordinal));
        if (nfswatch is not null && liveFloor is not null)
            Target(md, $"per thread at most {FloorTarget}x the C floor (live)", nfswatch.CpuPerThreadNs / liveFloor.CpuPerThreadNs, FloorTarget, "x");
        foreach (var p in live.Where(p => p.Tool.StartsWith("ps", StringComparison.Ordinal) || p.Tool.StartsWith("prometheus", StringComparison.Ordinal)))
            Target(md, $"faster than {p.Tool.Split(' ')[0]} (their CPU per thread / ours)", p.CpuPerThreadNs / nfswatch!.CpuPerThreadNs, 1, "x", higherIsBetter: true);
        if (daemon is not null)
        {
            Target(md, $"steady RSS at most {RssTargetMiB} MiB (Kestrel serving /metrics)", daemon.RssMiB, RssTargetMiB, " MiB");
            // Scale the measured share to exactly 10,000 threads (cost is linear in threads).
            double at10k = daemon.CpuFraction * 10_000 / Math.Max(1, daemon.Threads);
            string floorShare = liveFloor is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"; the C floor alone would take {liveFloor.CpuPerThreadNs * 10_000 / (daemon.IntervalSeconds * 1e9) * 100:0.00}%");
            Target(md, $"at most {CoreTarget * 100}% of a core at 10,000 threads, 5 s interval (measured at {daemon.Threads:N0}, scaled{floorShare})", at10k * 100, CoreTarget * 100, "%");
        }
        if (bpfDaemon is not null)
        {
            double bpfAt10k = bpfDaemon.CpuFraction * 10_000 / Math.Max(1, bpfDaemon.Threads);
            Target(md, $"bpf: at most {BpfCoreTarget * 100}% of a core at 10,000 threads, 5 s interval (measured at {bpfDaemon.Threads:N0}, scaled)", bpfAt10k * 100, BpfCoreTarget * 100, "%");
            if (daemon is not null)
                Target(md, "bpf: less CPU than the procfs daemon (procfs / bpf)", daemon.CpuFraction / Math.Max(1e-9, bpfDaemon.CpuFraction), 1, "x", higherIsBetter: true);
            if (liveFloor is not null)
            {
                double floorShare = liveFloor.CpuPerThreadNs * 10_000 / (bpfDaemon.IntervalSeconds * 1e9);
                Target(md, "bpf: 50x under the C floor of the procfs path (floor share / bpf share, at 10,000 threads)", floorShare / Math.Max(1e-9, bpfAt10k), 50, "x", higherIsBetter: true);
            }
        }
        return md.ToString();
    }

    private static void Target(StringBuilder md, string what, double value, double limit, string unit, bool higherIsBetter = false)
    {
        bool met = higherIsBetter ? value > limit : value <= limit;
        md.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value:0.00}{unit} | {(met ? "yes" : "**no**")} |");
    }

    private static string Ns(double ns) => Bench.Ns(ns);

    private static string Bytes(double b) => b >= 1 << 20 ? $"{b / (1 << 20):0.0} MiB" : b >= 1024 ? $"{b / 1024:0.0} KiB" : $"{b:0} B";

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";

    private static string Cpu() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } l ? l[(l.IndexOf(':') + 1)..].Trim() : "?";
}
