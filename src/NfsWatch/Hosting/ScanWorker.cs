using NfsWatch.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Outputs.Metrics;

namespace NfsWatch.Hosting;

/// <summary>
/// Scans on a timer, publishes each snapshot to the metrics and logs what changed: a thread that became
/// hung, one that recovered, probes that went missing, scans that failed.
/// </summary>
public sealed class ScanWorker(ScanCycle cycle, NfsWatchMetrics metrics, NfsWatchOptions options, ILogger<ScanWorker> log,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>True when watching had to stop; the daemon then exits non-zero so that systemd restarts it.</summary>
    public static bool Failed { get; private set; }

    private static readonly TimeSpan ErrorLogEvery = TimeSpan.FromMinutes(5);

    private Dictionary<ThreadKey, StuckThread> _hung = [];
    private HashSet<string> _missingProbes = [];
    private DateTimeOffset _lastErrorLog = DateTimeOffset.MinValue;

    /// <summary>Completes when the first scan has been published.</summary>
    public Task FirstScan => _firstScan.Task;
    private readonly TaskCompletionSource _firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        // Scans are synchronous reads of proc: keep them off the host's start-up path.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Interval);
        do
        {
            try
            {
                var snapshot = cycle.RunGuarded(stopping, out var stalledOn);
                if (snapshot is not null) Publish(snapshot);
                else
                {
                    metrics.RecordStall();
                    log.LogError("A scan stalled for {Deadline} reading /proc/{Pid}/task/{Tid} (a task of that process holds a lock that proc " +
                                 "needs, such as an exec flushing a file on a dead NFS server); that process is skipped for {SkipFor} and " +
                                 "while the read stays blocked", Duration.FormatOption(cycle.Deadline), stalledOn!.Value.Pid, stalledOn.Value.Tid,
                                 Duration.FormatOption(StalledReads.SkipFor));
                    if (cycle.Scanner.Stalled.BlockedThreads > ScanCycle.MaxBlockedScans)
                    {
                        log.LogCritical("{Count} scans are blocked in the kernel; stopping so that systemd restarts NfsWatch", cycle.Scanner.Stalled.BlockedThreads);
                        Failed = true;
                        lifetime.StopApplication();
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever went wrong in this scan, the next one runs: monitoring must not stop quietly.
                metrics.RecordScanFailure();
                log.LogError(e, "Scan failed: {Reason}", e.Message);
            }
        } while (await WaitAsync(timer, stopping));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try { return await timer.WaitForNextTickAsync(stopping); }
        catch (OperationCanceledException) { return false; }
    }

    private bool _handoverFailed;

    private void Publish(ScanSnapshot snapshot)
    {
        metrics.Record(snapshot, cycle.Reader);
        try
        {
            CallHandover.Write(options.StateDir, cycle.Scanner.Tracked());
            _handoverFailed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_handoverFailed) log.LogWarning("Cannot write {Path} for `nfswatch scan` ({Reason}); scan will show only its own lower bounds", CallHandover.PathIn(options.StateDir), e.Message);
            _handoverFailed = true;
        }
        _firstScan.TrySetResult();

        var missing = snapshot.MissingProbes.ToHashSet();
        foreach (string probe in missing.Except(_missingProbes))
            log.LogWarning("Probe {Probe} was refused for {Threads} thread(s), such as {Example}: {Consequence}", probe,
                snapshot.DeniedReads.GetValueOrDefault(probe), snapshot.DeniedExamples.GetValueOrDefault(probe, "?"), Probe.Consequence(probe));
        foreach (string probe in _missingProbes.Except(missing))
            log.LogInformation("Probe {Probe} is available again", probe);
        _missingProbes = missing;

        if (snapshot.Errors.Count > 0 && snapshot.FinishedAt - _lastErrorLog >= ErrorLogEvery)
        {
            _lastErrorLog = snapshot.FinishedAt;
            log.LogWarning("{Count} proc reads failed in the last scan (logged at most every {Every}); first: {Sample}",
                snapshot.Errors.Values.Sum(), Duration.FormatOption(ErrorLogEvery), snapshot.ErrorSamples.FirstOrDefault());
        }

        var hungNow = snapshot.Hung.ToDictionary(c => c.Key);
        foreach (var call in snapshot.NewlyHung)
            log.LogWarning("Thread {Tid} of {Comm} (pid {Pid}) is hung in {Syscall}() for {StuckSeconds}s: state {State}, waiting in {Wchan}; " +
                           "mounting {What}{Known}{Triage}",
                call.Tid, call.Comm, call.Pid, call.Syscall, Math.Round(call.StuckSeconds), call.State.ToString(), call.Wchan ?? "-",
                NfsWatch.Outputs.Cli.ScanTable.DescribeMount(call),
                call.Signature is null ? "" : $"; known problem: {call.Signature.Title} ({call.Signature.Reference}); what to do: {call.Signature.Remediation}",
                call.Triage is null ? "" : $"; {call.Triage}");
        foreach (var e in snapshot.KernelLogEvents)
            log.LogWarning("Kernel: {Message}", e.Message);
        foreach (var (key, call) in _hung)
            if (!hungNow.ContainsKey(key))
                log.LogInformation("Thread {Tid} of {Comm} (pid {Pid}) is no longer hung in {Syscall}() (hung at least {StuckSeconds}s)",
                    call.Tid, call.Comm, call.Pid, call.Syscall, Math.Round(call.StuckSeconds));
        _hung = hungNow;
    }
}
