using NfsWatch.Core.Detection;
using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Every metric NfsWatch exports, defined in one place and named per ../shared/INTERFACE.md. Gauges are
/// set from the latest snapshot in a before-collect callback, so a scrape never waits for a scan and label
/// sets that disappear leave no stale series; counters and the histogram advance once per scan.
/// </summary>
public sealed class NfsWatchMetrics
{
    private static readonly string[] HungLabels = ["kernel", "syscall", "fstype", "nfs_version", "server", "signature", "role"];
    private static readonly string[] InFlightLabels = ["kernel", "syscall", "fstype", "nfs_version", "server"];

    private readonly Gauge _hung, _inFlight, _oldest, _kernelInfo, _buildInfo, _scanned, _lastScan, _probe;
    private readonly Counter _events, _errors;
    private readonly Histogram _duration;
    private readonly Lock _applyLock = new();
    private ScanSnapshot? _latest, _applied;

    public NfsWatchMetrics(CollectorRegistry registry, string version)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _hung = factory.CreateGauge("nfswatch_hung_mount_threads",
            "Threads inside a mount-family system call for at least the threshold.", HungLabels);
        _inFlight = factory.CreateGauge("nfswatch_mount_syscall_threads",
            "Threads inside a mount-family system call now, hung or not.", InFlightLabels);
        _oldest = factory.CreateGauge("nfswatch_hung_mount_oldest_seconds",
            "Longest time a hung thread has been inside its mount-family system call; 0 when none is hung.");
        _events = factory.CreateCounter("nfswatch_hung_mount_events_total",
            "Threads that crossed the threshold inside a mount-family system call.", "fstype", "nfs_version");
        _kernelInfo = factory.CreateGauge("nfswatch_kernel_info", "The running kernel; always 1.", "release", "version", "machine");
        _buildInfo = factory.CreateGauge("nfswatch_build_info", "The NfsWatch build; always 1.", "version");
        _duration = factory.CreateHistogram("nfswatch_scan_duration_seconds", "Wall time of one scan.",
            new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _scanned = factory.CreateGauge("nfswatch_scanned_threads", "Threads examined by the last scan.");
        _lastScan = factory.CreateGauge("nfswatch_last_scan_timestamp_seconds", "Unix time the last scan finished.");
        _errors = factory.CreateCounter("nfswatch_scan_errors_total",
            "Reads that failed for a reason other than a task vanishing.", "probe");
        _probe = factory.CreateGauge("nfswatch_probe_available",
            "1 where a source can be read with the privileges the daemon has, else 0.", "probe");

        _buildInfo.WithLabels(version).Set(1);
        registry.AddBeforeCollectCallback(ApplyLatest);
    }

    /// <summary>Called once per completed scan: advances counters now, gauges at the next scrape.</summary>
    public void Record(ScanSnapshot snapshot)
    {
        _duration.Observe(snapshot.Duration.TotalSeconds);
        foreach (var call in snapshot.NewlyHung)
            _events.WithLabels(MetricLabels.FsType(call), MetricLabels.NfsVersion(call)).Inc();
        foreach (var (probe, count) in snapshot.Errors)
            _errors.WithLabels(probe).Inc(count);
        Volatile.Write(ref _latest, snapshot);
    }

    private void ApplyLatest()
    {
        // Before-collect callbacks may run concurrently for concurrent scrapes.
        lock (_applyLock)
        {
            var snapshot = Volatile.Read(ref _latest);
            if (snapshot is null || ReferenceEquals(snapshot, _applied)) return;
            _applied = snapshot;

            string kernel = snapshot.Kernel.Release;
            SetAll(_hung, snapshot.Hung.CountBy(c => new LabelKey([kernel, c.Syscall, MetricLabels.FsType(c),
                MetricLabels.NfsVersion(c), MetricLabels.Server(c), MetricLabels.Signature(c), MetricLabels.Role(c)])));
            SetAll(_inFlight, snapshot.MountCalls.CountBy(c => new LabelKey([kernel, c.Syscall, MetricLabels.FsType(c),
                MetricLabels.NfsVersion(c), MetricLabels.Server(c)])));
            _oldest.Set(snapshot.OldestHungSeconds);
            SetAll(_kernelInfo, [new(new LabelKey([kernel, snapshot.Kernel.Version, snapshot.Kernel.Machine]), 1)]);
            _scanned.Set(snapshot.ScannedThreads);
            _lastScan.Set(snapshot.FinishedAt.ToUnixTimeMilliseconds() / 1000.0);
            foreach (var (probe, available) in snapshot.Probes) _probe.WithLabels(probe).Set(available ? 1 : 0);
        }
    }

    /// <summary>Sets each label set to its count and removes the label sets that are no longer there.</summary>
    private static void SetAll(Gauge gauge, IEnumerable<KeyValuePair<LabelKey, int>> counts)
    {
        var now = new HashSet<LabelKey>();
        foreach (var (key, count) in counts)
        {
            gauge.WithLabels(key.Values).Set(count);
            now.Add(key);
        }
        foreach (string[] labels in gauge.GetAllLabelValues().ToList())
            if (!now.Contains(new LabelKey(labels))) gauge.RemoveLabelled(labels);
    }

    /// <summary>A label value tuple with value equality, for grouping.</summary>
    private readonly record struct LabelKey(string[] Values)
    {
        public bool Equals(LabelKey other) => Values.AsSpan().SequenceEqual(other.Values);
        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (string v in Values) hash.Add(v);
            return hash.ToHashCode();
        }
    }
}
