using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>What one scan observed: the threads that may be hung, as procfs shows them, and how the reads went.</summary>
public sealed record ScanSnapshot
{
    public required KernelInfo Kernel { get; init; }
    public required double ThresholdSeconds { get; init; }
    public required int ScannedThreads { get; init; }
    /// <summary>Every thread now inside a mount-family call, hung or not, oldest first.</summary>
    public required IReadOnlyList<ObservedThread> MountCalls { get; init; }
    /// <summary>Threads asleep outside mount calls where a filesystem may hold them (<see cref="ThreadKind.Blocked"/>), oldest first.</summary>
    public IReadOnlyList<ObservedThread> Blocked { get; init; } = [];
    /// <summary>Established NFS mounts of the daemon's mount namespace, with their RPC counters (mountstats).</summary>
    public IReadOnlyList<NfsMountStats> NfsMounts { get; init; } = [];
    /// <summary>Mount calls that crossed the threshold in this scan (each call counted once).</summary>
    public required IReadOnlyList<ObservedThread> NewlyHung { get; init; }
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
    /// <summary>How threads were found: "bpf" (a kernel probe named them) or "procfs" (every thread's files were read).</summary>
    public string Watching { get; init; } = "procfs";
    /// <summary>Why: what the kernel probe does, or why it is not used ("bpf: no CAP_BPF"), and why this scan walked procfs anyway.</summary>
    public string WatchingWhy { get; init; } = "";
    public required TimeSpan Duration { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
}
