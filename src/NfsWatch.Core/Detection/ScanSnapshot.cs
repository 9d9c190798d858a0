using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>The immutable result of one scan: what outputs (metrics, CLI, journal) publish.</summary>
public sealed record ScanSnapshot
{
    public required KernelInfo Kernel { get; init; }
    public required double ThresholdSeconds { get; init; }
    public required int ScannedThreads { get; init; }
    /// <summary>Every thread now inside a mount-family call, hung or not, oldest first.</summary>
    public required IReadOnlyList<StuckThread> MountCalls { get; init; }
    /// <summary>Threads in uninterruptible sleep in NFS or SUNRPC code outside mount calls (hard-mount hangs), oldest first.</summary>
    public IReadOnlyList<StuckThread> NfsBlocked { get; init; } = [];
    /// <summary>Established NFS mounts of the daemon's mount namespace, with their RPC counters (mountstats).</summary>
    public IReadOnlyList<NfsMountStats> NfsMounts { get; init; } = [];
    /// <summary>Kernel log events seen since the previous scan.</summary>
    public IReadOnlyList<NfsWatch.Core.KernelLog.KernelLogEvent> KernelLogEvents { get; init; } = [];
    /// <summary>Threads that crossed the threshold in this scan (each call counted once).</summary>
    public required IReadOnlyList<StuckThread> NewlyHung { get; init; }
    /// <summary>Probe name to whether it could be read with the daemon's privileges.</summary>
    public required IReadOnlyDictionary<string, bool> Probes { get; init; }
    /// <summary>Reads refused for lack of privilege this scan, per probe: the threads NfsWatch could not see into.</summary>
    public required IReadOnlyDictionary<string, int> DeniedReads { get; init; }
    /// <summary>Per refused probe, one thread it was refused for, such as "pid 1 (systemd)".</summary>
    public required IReadOnlyDictionary<string, string> DeniedExamples { get; init; }
    /// <summary>Reads that failed this scan for a reason other than a vanished task, per probe (file).</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    /// <summary>Processes skipped because reading their proc files blocked a scan (see StalledReads).</summary>
    public IReadOnlyCollection<int> StalledProcesses { get; init; } = [];
    /// <summary>Up to a few error messages of this scan, quoting the content.</summary>
    public required IReadOnlyList<string> ErrorSamples { get; init; }
    public required TimeSpan Duration { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }

    public IEnumerable<StuckThread> Hung => MountCalls.Where(c => c.Hung);

    public IEnumerable<StuckThread> HungBlocked => NfsBlocked.Where(c => c.Hung);

    public double OldestHungSeconds => MountCalls.Where(c => c.Hung).Select(c => c.StuckSeconds).DefaultIfEmpty(0).Max();

    public IEnumerable<string> MissingProbes => Probes.Where(p => !p.Value).Select(p => p.Key);
}
