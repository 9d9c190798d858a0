using NfsWatch.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Report;
using NfsWatch.Outputs.Metrics;
using NfsWatch.Outputs.Journal;
using Microsoft.Extensions.Hosting.Systemd;

namespace NfsWatch.Hosting;

/// <summary>
/// Scans on a timer, publishes each snapshot to the metrics and logs what changed: a thread that became
/// hung, one that recovered, probes that went missing, scans that failed.
/// </summary>
public sealed class ScanWorker(ScanCycle cycle, NfsWatchMetrics metrics, NfsWatchOptions options, ILogger<ScanWorker> log,
    IHostApplicationLifetime lifetime, ISystemdNotifier notifier, TriageLog triage, Prometheus.CollectorRegistry registry, HostInputs inputs) : BackgroundService
{
    private readonly TextfileExporter? _textfile = options.Textfile is null ? null : new(registry, options.Textfile);
    private string? _textfileProblem;

    /// <summary>
    /// The first scan runs before the host counts as started, so that systemd's READY=1 (sent by
    /// SystemdLifetime once every hosted service has started) means: metrics are served and hold a scan.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        ScanOnce(cancellationToken);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>WATCHDOG=1 is sent only when a scan completes: a wedged or stopped scan loop gets the service restarted.</summary>
    private readonly bool _watchdog = Environment.GetEnvironmentVariable("WATCHDOG_USEC") is not null;

    /// <summary>True when watching had to stop; the daemon then exits non-zero so that systemd restarts it.</summary>
    public static bool Failed { get; private set; }

    private static readonly TimeSpan ErrorLogEvery = TimeSpan.FromMinutes(5);

    private HashSet<string> _missingProbes = [];
    private DateTimeOffset _lastErrorLog = DateTimeOffset.MinValue;


    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Interval);
        while (await WaitAsync(timer, stopping))
        {
            if (!ScanOnce(stopping)) return;
        }
    }

    /// <summary>One guarded scan; false when watching must stop.</summary>
    private bool ScanOnce(CancellationToken stopping)
    {
        {
            try
            {
                var snapshot = cycle.RunGuarded(inputs.Current(), stopping, out var stalledOn);
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
                        return false;
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                // Whatever went wrong in this scan, the next one runs: monitoring must not stop quietly.
                metrics.RecordScanFailure();
                log.LogError(e, "Scan failed: {Reason}", e.Message);
            }
        }
        return true;
    }

    /// <summary>The state in words for `systemctl status`: "2 hung mounts, oldest 5m42s; 1 NFS-blocked thread".</summary>
    internal static string Status(ScanReport s)
    {
        var hung = s.Hung.ToList();
        var blocked = s.HungBlocked.Count();
        string text = hung.Count == 0 ? $"no hung mounts ({s.ScannedThreads} threads watched)"
            : $"{hung.Count} hung mount{(hung.Count == 1 ? "" : "s")}, oldest {Duration.Format(s.OldestHungSeconds)}";
        if (blocked > 0) text += $"; {blocked} blocked thread{(blocked == 1 ? "" : "s")}";
        if (s.StalledProcesses.Count > 0) text += $"; {s.StalledProcesses.Count} process(es) skipped (proc reads blocked)";
        return text;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try { return await timer.WaitForNextTickAsync(stopping); }
        catch (OperationCanceledException) { return false; }
    }

    private bool _handoverFailed;
    private string? _handedOver;
    private DateTimeOffset _handedOverAt;

    /// <summary>The hand-over file is rewritten when the calls change, and at least this often: `scan` trusts it for 5 minutes.</summary>
    private static readonly TimeSpan HandoverRefresh = TimeSpan.FromMinutes(1);

    private void Publish(ScanReport snapshot)
    {
        metrics.Record(snapshot, cycle.Reader);
        if (_textfile is not null)
        {
            string? problem = _textfile.TryWrite();
            if (problem is not null && _textfileProblem is null) log.LogWarning("Cannot write the metrics to {Path}: {Reason}", _textfile.Path, problem);
            else if (problem is null && _textfileProblem is not null) log.LogInformation("Writing the metrics to {Path} again", _textfile.Path);
            _textfileProblem = problem;
        }
        try
        {
            // Unchanged calls are not written again at every scan: a file's create, write and rename cost more than
            // a scan that the BPF probe keeps small.
            string text = TrackedCall.Format(cycle.Scanner.Tracked());
            if (text != _handedOver || snapshot.FinishedAt - _handedOverAt >= HandoverRefresh)
            {
                CallHandover.Write(options.StateDir, text);
                (_handedOver, _handedOverAt) = (text, snapshot.FinishedAt);
            }
            _handoverFailed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _handedOver = null;
            if (!_handoverFailed) log.LogWarning("Cannot write {Path} for `nfswatch scan` ({Reason}); scan will show only its own lower bounds", CallHandover.PathIn(options.StateDir), e.Message);
            _handoverFailed = true;
        }

        var missing = snapshot.MissingProbes.Select(p => p.Name).ToHashSet();
        // The BPF probe's absence is said once at start-up, with its reason.
        foreach (var probe in snapshot.MissingProbes.Where(p => !_missingProbes.Contains(p.Name) && p.Name != Probe.Bpf))
        {
            if (probe.Denied > 0)
                log.LogWarning("Probe {Probe} was refused for {Threads} thread(s), such as {Example}: {Consequence}", probe.Name,
                    probe.Denied, probe.Example ?? "?", probe.Consequence);
            else
                log.LogWarning("Probe {Probe} is not available: {Consequence}", probe.Name, probe.Consequence);
        }
        foreach (string probe in _missingProbes.Except(missing))
            log.LogInformation("Probe {Probe} is available again", probe);
        _missingProbes = missing;

        if (snapshot.Errors.Count > 0 && snapshot.FinishedAt - _lastErrorLog >= ErrorLogEvery)
        {
            _lastErrorLog = snapshot.FinishedAt;
            log.LogWarning("{Count} proc reads failed in the last scan (logged at most every {Every}); first: {Sample}",
                snapshot.Errors.Values.Sum(), Duration.FormatOption(ErrorLogEvery), snapshot.ErrorSamples.FirstOrDefault());
        }

        triage.Record(snapshot);
        foreach (var e in snapshot.KernelLogEvents)
            log.LogWarning("Kernel: {Message}", e.Message);
        if (notifier.IsEnabled)
        {
            notifier.Notify(new ServiceState("STATUS=" + Status(snapshot)));
            if (_watchdog) notifier.Notify(new ServiceState("WATCHDOG=1"));
        }
    }
}
