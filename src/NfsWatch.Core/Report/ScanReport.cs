using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Report;

/// <summary>The explained result of one scan: what every output publishes.</summary>
public sealed record ScanReport
{
    public required KernelInfo Kernel { get; init; }
    public required double ThresholdSeconds { get; init; }
    public required int ScannedThreads { get; init; }
    /// <summary>Every thread now inside a mount-family call, hung or not, oldest first.</summary>
    public required IReadOnlyList<HangReport> MountCalls { get; init; }
    /// <summary>
    /// Threads blocked in I/O on a network or FUSE filesystem (NFS, CIFS/SMB, FUSE, autofs), or holding up
    /// such a thread, or named hung by the kernel log; hung or not, oldest first.
    /// </summary>
    public required IReadOnlyList<HangReport> Blocked { get; init; }
    /// <summary>Mount calls that crossed the threshold in this scan (each call counted once).</summary>
    public required IReadOnlyList<HangReport> NewlyHung { get; init; }
    /// <summary>What to do, most useful first: one entry per chain of waits, and per hang alone.</summary>
    public required IReadOnlyList<HangAction> Actions { get; init; }
    public IReadOnlyList<NfsMountReport> NfsMounts { get; init; } = [];
    /// <summary>Kernel log events seen since the previous scan.</summary>
    public IReadOnlyList<KernelLogEvent> KernelLogEvents { get; init; } = [];
    /// <summary>Every probe, by name.</summary>
    public required IReadOnlyDictionary<string, ProbeStatus> Probes { get; init; }
    /// <summary>Reads that failed this scan for a reason other than a vanished task, per probe (file).</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    /// <summary>Up to a few error messages of this scan, quoting the content.</summary>
    public required IReadOnlyList<string> ErrorSamples { get; init; }
    /// <summary>Processes skipped because reading their proc files blocked a scan.</summary>
    public IReadOnlyCollection<int> StalledProcesses { get; init; } = [];
    /// <summary>systemd's mount and automount units, or null when systemd could not be asked.</summary>
    public IReadOnlyList<MountUnit>? MountUnits { get; init; }
    /// <summary>Why systemd's units are unknown, when <see cref="MountUnits"/> is null and it was asked.</summary>
    public string? MountUnitsProblem { get; init; }
    /// <summary>How threads were found: "bpf" or "procfs".</summary>
    public string Watching { get; init; } = "procfs";
    /// <summary>Why that way, in words ("bpf: no CAP_BPF").</summary>
    public string WatchingWhy { get; init; } = "";
    public required TimeSpan Duration { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }

    public IEnumerable<HangReport> Hung => MountCalls.Where(c => c.Hung);

    public IEnumerable<HangReport> HungBlocked => Blocked.Where(c => c.Hung);

    /// <summary>True when any thread hangs, in a mount-family call or blocked in I/O: `nfswatch scan` then exits 1.</summary>
    public bool AnyHung => Hung.Any() || HungBlocked.Any();

    public double OldestHungSeconds => Hung.Select(c => c.StuckSeconds).DefaultIfEmpty(0).Max();

    public IEnumerable<ProbeStatus> MissingProbes => Probes.Values.Where(p => !p.Available);

    /// <summary>Threads whose syscall file could not be read: they may hang unseen.</summary>
    public int UncheckedThreads => Probes.TryGetValue(Detection.Probe.Syscall, out var p) ? p.Denied : 0;
}
