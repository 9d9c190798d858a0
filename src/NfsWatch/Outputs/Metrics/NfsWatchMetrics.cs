using NfsWatch.Core.Isolation;
using NfsWatch.Core.Report;
using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Every metric NfsWatch exports, defined in one place and documented in docs/metrics.md. Gauges are
/// set from the latest snapshot in a before-collect callback, so a scrape never waits for a scan and label
/// sets that disappear leave no stale series; counters and the histogram advance once per scan.
/// </summary>
public sealed class NfsWatchMetrics
{
    private readonly Gauge _mountUnits, _stalled, _hung, _inFlight, _oldest, _kernelInfo, _buildInfo, _scanned, _lastScan, _probe, _nfsMounts, _blocked, _blockedAll, _wedged;
    private readonly Counter _stalls, _events, _errors, _kernelLog, _rpcOps, _rpcRetrans, _rpcTimeouts, _rpcSends, _rpcBacklog, _readTimeouts;
    private readonly Histogram _duration;
    private readonly Lock _applyLock = new();
    private ScanReport? _latest, _applied;
    private IsolatedReader? _reader;
    private readonly BoundedLabel _fstypes, _signatures;
    private readonly RecentLabels _servers;

    /// <param name="knownFsTypes">The kernel's filesystems (/proc/filesystems): an fstype label outside it is "other". Null: no such check.</param>
    public NfsWatchMetrics(CollectorRegistry registry, string version, IReadOnlySet<string>? knownFsTypes = null, int maxServers = 64)
    {
        _servers = new RecentLabels(maxServers);
        _fstypes = new BoundedLabel(64, knownFsTypes);
        _signatures = new BoundedLabel(64);
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        _hung = f.CreateGauge("nfswatch_hung_mount_threads", "Threads inside a mount-family system call for at least the threshold.",
            "kernel", "syscall", "fstype", "nfs_version", "server", "signature", "role");
        _inFlight = f.CreateGauge("nfswatch_mount_syscall_threads", "Threads inside a mount-family system call now, hung or not.",
            "kernel", "syscall", "fstype", "nfs_version", "server");
        _oldest = f.CreateGauge("nfswatch_hung_mount_oldest_seconds",
            "Longest time a hung thread has been inside its mount-family system call; 0 when none is hung.");
        _events = f.CreateCounter("nfswatch_hung_mount_events_total", "Threads that crossed the threshold inside a mount-family system call.",
            "fstype", "nfs_version");
        _nfsMounts = f.CreateGauge("nfswatch_nfs_mounts", "Established NFS mounts (mountstats of the daemon's mount namespace).", "nfs_version", "server");
        _blocked = f.CreateGauge("nfswatch_nfs_blocked_threads",
            "Threads in D state in NFS/SUNRPC code outside mount syscalls for at least the threshold.", "kernel", "nfs_version", "server", "signature");
        _blockedAll = f.CreateGauge("nfswatch_blocked_threads",
            "Threads blocked outside mount syscalls for at least the threshold: in I/O on NFS, CIFS/SMB, FUSE or autofs, waiting for such a thread, or named hung by the kernel log.",
            "kernel", "fstype", "nfs_version", "server", "signature", "cause");
        _kernelLog = f.CreateCounter("nfswatch_kernel_log_events_total", "Kernel log lines seen: server_not_responding, server_ok, hung_task.",
            "event", "server");
        _rpcOps = f.CreateCounter("nfswatch_nfs_rpc_operations_total", "NFS RPC operations completed, per server (mountstats per-op OPS).", "server");
        _rpcRetrans = f.CreateCounter("nfswatch_nfs_rpc_retransmissions_total", "NFS RPC retransmissions, per server (mountstats TRANS - OPS).", "server");
        _rpcTimeouts = f.CreateCounter("nfswatch_nfs_rpc_timeouts_total", "NFS RPC major timeouts, per server (mountstats per-op TIMEOUTS).", "server");
        _rpcSends = f.CreateCounter("nfswatch_nfs_rpc_sends_total", "RPC requests sent on the transport, per server (mountstats xprt sends).", "server");
        _rpcBacklog = f.CreateCounter("nfswatch_nfs_rpc_backlog_queue_total",
            "Sum of the backlog queue length seen at each send, per server (xprt bklog_u); divide its rate by the sends rate for the mean backlog.", "server");
        _kernelInfo = f.CreateGauge("nfswatch_kernel_info", "The running kernel; always 1.", "release", "version", "machine");
        _buildInfo = f.CreateGauge("nfswatch_build_info", "The NfsWatch build; always 1.", "version");
        _duration = f.CreateHistogram("nfswatch_scan_duration_seconds", "Wall time of one scan.",
            new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _scanned = f.CreateGauge("nfswatch_scanned_threads", "Threads examined by the last scan.");
        _lastScan = f.CreateGauge("nfswatch_last_scan_timestamp_seconds", "Unix time the last scan finished.");
        _errors = f.CreateCounter("nfswatch_scan_errors_total", "Reads that failed for a reason other than a task vanishing.", "probe");
        _probe = f.CreateGauge("nfswatch_probe_available", "1 where a source can be read with the privileges the daemon has, else 0.", "probe");
        _readTimeouts = f.CreateCounter("nfswatch_isolated_read_timeouts_total",
            "Reads of a process's memory or command line abandoned at their deadline (the process's address space was wedged).");
        _wedged = f.CreateGauge("nfswatch_wedged_processes",
            "Processes whose memory could not be read before the deadline; not read again for 5 minutes.");

        _mountUnits = f.CreateGauge("nfswatch_systemd_mount_units",
            "systemd mount and automount units activating for at least the threshold, or failed.", "state");
        _stalls = f.CreateCounter("nfswatch_scan_stalls_total",
            "Scans abandoned because a proc read blocked past the deadline; the process read is skipped for 5 minutes.");
        _stalled = f.CreateGauge("nfswatch_stalled_processes", "Processes skipped because reading their proc files blocked a scan.");
        _buildInfo.WithLabels(version).Set(1);
        registry.AddBeforeCollectCallback(ApplyLatest);
    }

    public void RecordStall() => _stalls.Inc();

    /// <summary>systemd's mount units (null: D-Bus or systemd not reachable, and the dbus probe says so).</summary>
    public void RecordMountUnits(IReadOnlyList<MountUnit>? units, double thresholdSeconds)
    {
        _probe.WithLabels("dbus").Set(units is null ? 0 : 1);
        if (units is null)
        {
            foreach (string[] labels in _mountUnits.GetAllLabelValues().ToList()) _mountUnits.RemoveLabelled(labels);
            return;
        }
        _mountUnits.WithLabels("activating").Set(units.Count(u => u.ActiveState == "activating" && u.Seconds >= thresholdSeconds));
        _mountUnits.WithLabels("failed").Set(units.Count(u => u.ActiveState == "failed"));
    }

    public void RecordScanFailure() => _errors.WithLabels("scan").Inc();

    /// <summary>Called once per completed scan: advances counters now, gauges at the next scrape.</summary>
    public void Record(ScanReport snapshot, IsolatedReader? reader = null)
    {
        _duration.Observe(snapshot.Duration.TotalSeconds);
        foreach (var call in snapshot.NewlyHung)
            _events.WithLabels(FsType(call), MetricLabels.NfsVersion(call)).Inc();
        foreach (var (probe, count) in snapshot.Errors)
            _errors.WithLabels(probe).Inc(count);
        foreach (string gone in _servers.Saw(EstablishedServers(snapshot), NamedServers(snapshot)))
            foreach (string[] labels in _kernelLog.GetAllLabelValues().Where(l => l[1] == gone).ToList())
                _kernelLog.RemoveLabelled(labels);
        foreach (var e in snapshot.KernelLogEvents)
            _kernelLog.WithLabels(e.Event, _servers.Of(e.Server ?? MetricLabels.None)).Inc();
        _reader = reader;
        if (reader is not null) _readTimeouts.IncTo(reader.Timeouts);
        Volatile.Write(ref _latest, snapshot);
    }

    private void ApplyLatest()
    {
        // Before-collect callbacks may run concurrently for concurrent scrapes.
        lock (_applyLock)
        {
            if (_reader is not null) _wedged.Set(_reader.WedgedProcesses);
            var snapshot = Volatile.Read(ref _latest);
            if (snapshot is null || ReferenceEquals(snapshot, _applied)) return;
            _applied = snapshot;

            string kernel = snapshot.Kernel.Release;
            SetAll(_hung, snapshot.Hung.CountBy(c => new LabelKey([kernel, MetricLabels.Syscall(c), FsType(c),
                MetricLabels.NfsVersion(c), Server(c), Signature(c), MetricLabels.Role(c)])));
            SetAll(_inFlight, snapshot.MountCalls.CountBy(c => new LabelKey([kernel, MetricLabels.Syscall(c), FsType(c),
                MetricLabels.NfsVersion(c), Server(c)])));
            SetAll(_blocked, snapshot.HungBlocked.Where(c => c.IsNfs).CountBy(c => new LabelKey([kernel, MetricLabels.NfsVersion(c), Server(c), Signature(c)])));
            SetAll(_blockedAll, snapshot.HungBlocked.CountBy(c => new LabelKey([kernel, FsType(c), MetricLabels.NfsVersion(c), Server(c), Signature(c),
                MetricLabels.Cause(c)])));
            _oldest.Set(snapshot.OldestHungSeconds);

            // One superblock can be mounted at several places (bind mounts): count each source once per server.
            var mounts = snapshot.NfsMounts.DistinctBy(m => m.Mount.Source).ToList();
            SetAll(_nfsMounts, mounts.CountBy(m => new LabelKey([m.NfsVersion ?? MetricLabels.Unknown, _servers.Of(m.Server ?? MetricLabels.Unknown)])));
            var perServer = mounts.GroupBy(m => _servers.Of(m.Server ?? MetricLabels.Unknown)).ToList();
            SetCounters(_rpcOps, perServer.Select(g => (g.Key, (double)g.Sum(m => (double)m.Mount.Operations))));
            SetCounters(_rpcRetrans, perServer.Select(g => (g.Key, g.Sum(m => (double)m.Mount.Retransmissions))));
            SetCounters(_rpcTimeouts, perServer.Select(g => (g.Key, g.Sum(m => (double)m.Mount.Timeouts))));
            // Mounts of one server share a transport: its counters are the same on each, so take them once.
            SetCounters(_rpcSends, perServer.Select(g => (g.Key, (double)g.Max(m => m.Mount.Sends))));
            SetCounters(_rpcBacklog, perServer.Select(g => (g.Key, (double)g.Max(m => m.Mount.BacklogSum))));

            SetAll(_kernelInfo, [new(new LabelKey([kernel, snapshot.Kernel.Version, snapshot.Kernel.Machine]), 1)]);
            _scanned.Set(snapshot.ScannedThreads);
            _stalled.Set(snapshot.StalledProcesses.Count);
            _lastScan.Set(snapshot.FinishedAt.ToUnixTimeMilliseconds() / 1000.0);
            foreach (var probe in snapshot.Probes.Values) _probe.WithLabels(probe.Name).Set(probe.Available ? 1 : 0);
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

    /// <summary>
    /// Servers only the administrator can bring into view: mounted filesystems, kernel log lines, and threads whose
    /// server is established (<see cref="HangReport.ServerEstablished"/>).
    /// </summary>
    private static IEnumerable<string> EstablishedServers(ScanReport s) =>
        s.NfsMounts.Select(m => m.Server).Concat(s.KernelLogEvents.Select(e => e.Server))
            .Concat(s.MountCalls.Concat(s.Blocked).Where(c => c.ServerEstablished).Select(c => c.Server))
            .OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Servers named only in the arguments of a call that has not reached filesystem code.</summary>
    private static IEnumerable<string> NamedServers(ScanReport s) =>
        s.MountCalls.Concat(s.Blocked).Where(c => !c.ServerEstablished).Select(c => c.Server).OfType<string>().Distinct(StringComparer.Ordinal);

    private string FsType(HangReport c) => _fstypes.Of(MetricLabels.FsType(c));
    private string Server(HangReport c) => _servers.Of(MetricLabels.Server(c));
    private string Signature(HangReport c) => _signatures.Of(MetricLabels.Signature(c));

    /// <summary>
    /// Counters mirrored from the kernel's own cumulative counts; a server whose mounts are gone is removed.
    /// When the kernel's sum drops (a mount went away, or a remount started its counters at 0) the series is
    /// recreated, which Prometheus reads as a counter reset, instead of staying flat until the sum catches up.
    /// </summary>
    private static void SetCounters(Counter counter, IEnumerable<(string Server, double Value)> values)
    {
        var now = new HashSet<string>();
        foreach (var (server, value) in values)
        {
            var child = counter.WithLabels(server);
            if (value < child.Value)
            {
                counter.RemoveLabelled(server);
                child = counter.WithLabels(server);
            }
            child.IncTo(value);
            now.Add(server);
        }
        foreach (string[] labels in counter.GetAllLabelValues().ToList())
            if (!now.Contains(labels[0])) counter.RemoveLabelled(labels);
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
