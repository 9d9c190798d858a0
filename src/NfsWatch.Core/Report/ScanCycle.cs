using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.KernelLog;

namespace NfsWatch.Core.Report;

/// <summary>
/// One round of watching, the same for `nfswatch scan` and the daemon: scan the threads, take the new kernel
/// log lines, and build the report.
/// </summary>
public sealed class ScanCycle(Func<MountScanner> newScanner, ReportPipeline pipeline, KmsgReader? kernelLog)
{
    /// <summary>How long a scan may take before it counts as stalled (isolated reads are capped well below).</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    public TimeSpan Deadline { get; init; } = DefaultDeadline;

    /// <summary>Abandoned scans still blocked, beyond which watching stops (and the daemon exits so systemd restarts it).</summary>
    public const int MaxBlockedScans = 8;

    private MountScanner scanner = newScanner();
    private IReadOnlyList<TrackedCall> _lastTracked = [];
    private ScanThread? _thread;

    /// <summary>
    /// Runs <see cref="Run"/> on a thread of its own (kept for the next scan) with <see cref="Deadline"/>. A scan
    /// that misses it is blocked in the kernel on some process's proc file: that process is skipped from then on, the
    /// scanner and its thread (still blocked) are abandoned, and a fresh one - knowing every call's age - scans again.
    /// Returns null when the scan had to be abandoned; <paramref name="stalledOn"/> says on which thread.
    /// </summary>
    public ScanReport? RunGuarded(ReportInputs inputs, CancellationToken cancel, out (int Pid, int Tid)? stalledOn)
    {
        stalledOn = null;
        var current = scanner;
        cancel.ThrowIfCancellationRequested();
        var thread = _thread ??= new ScanThread();
        var task = thread.Run(() => RunWith(current, inputs, cancel));
        try
        {
            if (task.Wait(Deadline, cancel))
            {
                _lastTracked = current.Tracked();
                return task.Result;
            }
        }
        // The scan's own failure (ScanFailedException: /proc cannot be listed) or cancellation, unwrapped,
        // so that callers see what they would see from Run.
        catch (AggregateException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        var position = current.Position;
        stalledOn = position;
        _thread = null; // blocked with the scan: the next scan gets a thread of its own
        current.Stalled.Add(position.Pid, task);
        var fresh = newScanner();
        fresh.Seed(_lastTracked);
        lock (_explainLock) scanner = fresh;
        return null;
    }

    public KernelLogView KernelLog { get; } = new();

    public MountScanner Scanner => scanner;

    /// <summary>The isolated reader the pipeline uses, for its health metrics; null when none.</summary>
    public NfsWatch.Core.Isolation.IsolatedReader? Reader { get; init; }

    public KmsgReader? KernelLogReader => kernelLog;

    /// <summary>One round on the calling thread, without a deadline.</summary>
    public ScanReport Run(ReportInputs? inputs = null, CancellationToken cancel = default) =>
        RunWith(scanner, inputs ?? new ReportInputs(), cancel) ?? throw new InvalidOperationException("the scanner was replaced during the scan");

    private readonly Lock _explainLock = new();

    private ScanReport? RunWith(MountScanner current, ReportInputs inputs, CancellationToken cancel)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var snapshot = current.Scan(cancel);
        lock (_explainLock)
        {
            // An abandoned scan that wakes up later must not touch the pipeline or the kernel log reader,
            // which its successor uses now.
            if (!ReferenceEquals(current, scanner)) return null;
            var events = kernelLog?.ReadNew() ?? [];
            KernelLog.Add(events);
            var report = pipeline.Build(snapshot, KernelLog, events, inputs with { KernelLogReadable = kernelLog?.Available ?? false });
            // The scan's duration includes the explanation (isolated reads can take up to their deadline).
            return report with { Duration = System.Diagnostics.Stopwatch.GetElapsedTime(started), FinishedAt = DateTimeOffset.UtcNow };
        }
    }
}
