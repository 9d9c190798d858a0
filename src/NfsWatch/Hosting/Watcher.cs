using NfsWatch.Configuration;
using NfsWatch.Core.Bpf;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;

namespace NfsWatch.Hosting;

/// <summary>Builds the scan cycle from the options: the same parts for `scan` and `run`.</summary>
public static class Watcher
{

    /// <param name="followFromNow">The daemon counts only new kernel log lines; `scan` reads what the ring buffer holds.</param>
    /// <param name="ecs">The ECS task cache when --ecs-introspection is on; its owner refreshes it.</param>
    public static ScanCycle Build(NfsWatchOptions options, bool followFromNow, out EcsTasks? ecs)
    {
        ecs = null;
        SignatureCatalog catalog;
        try { catalog = SignatureCatalog.Load(options.Signatures); }
        catch (SignatureFileException e) { throw new UsageException($"--signatures: {e.Message}"); }
        var proc = new ProcFs(options.Procfs);
        var stalled = new StalledReads();
        var probe = LoadProbe(options, proc, out string? noProbe);
        // The BPF probe names blocked threads at least once per threshold (at most every 30 s), so that none passes
        // the threshold unnamed; calls come from its map at every scan.
        int nameEvery = (int)Math.Max(1, Math.Min(options.Threshold.TotalSeconds, 30) / options.Interval.TotalSeconds);
        MountScanner NewScanner() => new(proc, options.Threshold) { Stalled = stalled, Candidates = probe, NoProbeReason = noProbe ?? "", NameEvery = nameEvery };
        var reader = new IsolatedReader(SelfCommand.Current(), proc.Root, IsolatedReader.DefaultDeadline);
        // Read a call's arguments once it has lasted half the threshold (at most 10 s): short mounts cost nothing,
        // and by the time a call counts as hung it is explained.
        var readAfter = TimeSpan.FromSeconds(Math.Min(options.Threshold.TotalSeconds / 2, 10));
        var pipeline = new ReportPipeline(proc, catalog, reader, readAfter);
        if (options.EcsIntrospection is { } endpoint) ecs = new EcsTasks(endpoint);
        return new ScanCycle(NewScanner, pipeline, new KmsgReader(options.Kmsg, followFromNow)) { Reader = reader };
    }

    /// <summary>
    /// The BPF probe as --probe asks: none for procfs; for auto, the probe where it loads, else none and why; for
    /// bpf, the probe or a refusal to start that says what is missing. The BPF probe watches the host's kernel, so
    /// it is not used over another proc tree (--procfs), whose threads it cannot see.
    /// </summary>
    private static BpfProbe? LoadProbe(NfsWatchOptions options, ProcFs proc, out string? problem)
    {
        problem = null;
        if (options.Probe == "procfs") { problem = "not used (--probe procfs)"; return null; }
        if (options.Procfs != "/proc")
        {
            problem = $"not used: --procfs {options.Procfs} is not this host's /proc";
            return options.Probe == "bpf" ? throw new UsageException($"--probe bpf: the BPF probe sees this host's kernel, not the proc tree {options.Procfs}") : null;
        }
        var probe = BpfProbe.TryLoad(proc, KernelInfo.Read(proc).Machine, out problem);
        if (probe is null && options.Probe == "bpf") throw new UsageException($"--probe bpf: cannot use the BPF probe: {problem}");
        return probe;
    }
}
