using NfsWatch.Core.Detection;
using NfsWatch.Core.KernelLog;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// One round of watching, the same for `nfswatch scan` and the daemon: scan the threads, take the new kernel
/// log lines, explain every stuck thread.
/// </summary>
public sealed class ScanCycle(MountScanner scanner, HangExplainer explainer, KmsgReader? kernelLog)
{
    public KernelLogView KernelLog { get; } = new();

    public MountScanner Scanner => scanner;

    /// <summary>The isolated reader the explainer uses, for its health metrics; null when none.</summary>
    public NfsWatch.Core.Isolation.IsolatedReader? Reader { get; init; }

    public KmsgReader? KernelLogReader => kernelLog;

    public ScanSnapshot Run(CancellationToken cancel = default)
    {
        var snapshot = scanner.Scan(cancel);
        var events = kernelLog?.ReadNew() ?? [];
        KernelLog.Add(events);
        snapshot = explainer.Explain(snapshot, KernelLog);
        var probes = new Dictionary<string, bool>(snapshot.Probes) { [Probe.Kmsg] = kernelLog?.Available ?? false };
        return snapshot with { Probes = probes, KernelLogEvents = events };
    }
}
