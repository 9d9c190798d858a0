using System.Text;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;
using NfsWatch.Outputs.Metrics;
using NfsWatch.Tests.Support;
using Prometheus;

namespace NfsWatch.Tests.Outputs;

/// <summary>The /metrics text from a private registry, compared with golden files under testdata/metrics.</summary>
public class MetricsExpositionTests
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly NfsWatchMetrics _metrics;

    public MetricsExpositionTests() => _metrics = new NfsWatchMetrics(_registry, "0.1.0");

    private static readonly HangReport Nfs = Snapshots.Call(4711, 4713, 342.5, hung: true, fstype: "nfs4", nfsVersion: "4.1", server: "fs-1.efs.eu-west-1.amazonaws.com", comm: "dockerd") with
    {
        Signature = new SignatureMatch("nfs4-clientid-not-answered", "t", "r", "m"),
        Role = "blocker",
    };
    private static readonly HangReport Blocked = Snapshots.Call(900, 901, 64, hung: true, syscall: "newfstatat", fstype: "nfs4", nfsVersion: "4.1", server: "10.0.1.9", comm: "stat") with
    {
        Signature = new SignatureMatch("nfs-hard-mount-server-gone", "t", "r", "m"),
        Cause = HangCause.ServerNotResponding,
    };
    private static ScanReport Full() => Snapshots.Of([Nfs, Unknown, Young], newlyHung: [Nfs, Unknown], errors: new() { ["stat"] = 2 }) with
    {
        Blocked = [Blocked, BlockedFuse],
        NfsMounts =
        [
            new(new NfsMountStats("10.0.1.9:/", "/mnt/efs", "nfs4", "rw,vers=4.1,addr=10.0.1.9", 100, 103, 1, 110, 5), "4.1", "10.0.1.9"),
            new(new NfsMountStats("10.0.1.9:/", "/var/lib/bind-of-efs", "nfs4", "rw,vers=4.1,addr=10.0.1.9", 100, 103, 1, 110, 5), "4.1", "10.0.1.9"),
            new(new NfsMountStats("srv3:/export", "/mnt/v3", "nfs", "rw,vers=3,addr=10.0.2.2", 7, 7, 0, 7, 0), "3", "srv3"),
        ],
        KernelLogEvents =
        [
            new KernelLogEvent(KernelLogEvent.ServerNotResponding, "10.0.1.9", 0, 12.5, "nfs: server 10.0.1.9 not responding, still trying"),
            new KernelLogEvent(KernelLogEvent.HungTask, null, 901, 130, "INFO: task stat:901 blocked for more than 120 seconds."),
        ],
    };
    private static readonly HangReport BlockedFuse = Snapshots.Call(950, 950, 90, hung: true, syscall: "newfstatat", fstype: "fuse.sshfs", comm: "ls") with
    {
        Signature = new SignatureMatch("fuse-server-not-answering", "t", "r", "m"),
    };
    private static readonly HangReport Unknown = Snapshots.Call(2100, 2100, 40, hung: true);
    private static readonly HangReport Young = Snapshots.Call(2200, 2201, 3, hung: false, syscall: "fsconfig", fstype: "ext4");

    [Fact]
    public async Task ExpositionMatchesTheGoldenFile()
    {
        _metrics.Record(Full());

        await AssertGolden("hung.prom");
    }

    [Fact]
    public async Task SeriesOfCallsThatEndedDisappearAndCountersKeepTheirCount()
    {
        _metrics.Record(Full());
        await Export();
        _metrics.Record(Snapshots.Of([]));

        await AssertGolden("recovered.prom");
    }

    [Fact]
    public async Task AScrapeBeforeTheFirstScanServesNoHungSeries()
    {
        string have = await Export();
        Assert.DoesNotContain("nfswatch_hung_mount_threads{", have);
        Assert.Contains("nfswatch_build_info{version=\"0.1.0\"} 1", have);
    }

    [Fact]
    public async Task ConcurrentScrapesSeeTheSameState()
    {
        _metrics.Record(Snapshots.Of([Nfs, Unknown, Young]));
        var exports = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Export)));
        Assert.All(exports, e => Assert.Equal(Strip(exports[0]), Strip(e)));
    }

    [Fact]
    public async Task ServerAndFsTypeLabelsAreBoundedAgainstAnyoneChoosingThem()
    {
        // Any local user can sit in mount(2) with a source and fstype of their choosing.
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new NfsWatchMetrics(registry, "0.1.0", knownFsTypes: new HashSet<string> { "nfs4", "ext4" }, maxServers: 3);
        var calls = Enumerable.Range(0, 10).Select(i => Snapshots.Call(100 + i, 100 + i, 60, hung: true, fstype: "nfs4", nfsVersion: "4.1", server: $"evil-{i}.example"))
            .Append(Snapshots.Call(200, 200, 60, hung: true, fstype: "made-up-fs-" + new string('x', 100))).ToList();
        metrics.Record(Snapshots.Of(calls, newlyHung: calls));

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        string have = Encoding.UTF8.GetString(stream.ToArray());
        var servers = System.Text.RegularExpressions.Regex.Matches(have, "nfswatch_hung_mount_threads\\{[^}]*server=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(["evil-0.example", "evil-1.example", "evil-2.example", "none", "other"], servers.Order());
        Assert.Contains("nfswatch_hung_mount_events_total{fstype=\"other\",nfs_version=\"none\"} 1", have);
        Assert.DoesNotContain("made-up-fs", have);
    }

    [Fact]
    public async Task NamesAnyoneCanSitInMountWithNeverTakeTheLabelsOfMountedServersAndGoneServersFreeTheirs()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new NfsWatchMetrics(registry, "0.1.0", maxServers: 4);
        // One user sits in mount(2) (a FUSE target's lookup, before any privilege check) with 64 addr= values, scan
        // after scan: the calls never reach NFS code.
        var squatters = Enumerable.Range(0, 64).Select(i => Snapshots.Call(100 + i, 100 + i, 60, hung: true, fstype: "nfs4", nfsVersion: "4.1", server: $"evil-{i}")).ToList();
        NfsMountReport Mounted(string server) => new(new NfsMountStats($"{server}:/", "/mnt/" + server, "nfs4", "vers=4.1", 10, 10, 0, 10, 0), "4.1", server);
        var blocked = Snapshots.Call(900, 900, 64, hung: true, syscall: "newfstatat", fstype: "nfs4", nfsVersion: "4.1", server: "efs-a") with { ServerEstablished = true };
        for (int scan = 0; scan < 3; scan++)
            metrics.Record(Snapshots.Of(squatters) with { Blocked = [blocked], NfsMounts = [Mounted("efs-a"), Mounted("efs-b")] });
        string have = await Export(registry);
        Assert.Contains("nfswatch_nfs_blocked_threads{kernel=\"6.1.0-56-amd64\",nfs_version=\"4.1\",server=\"efs-a\"", have);
        Assert.Contains("nfswatch_nfs_mounts{nfs_version=\"4.1\",server=\"efs-b\"} 1", have);
        // The squatters share the two slots left and "other".
        var squatterLabels = System.Text.RegularExpressions.Regex.Matches(have, "server=\"(evil-[0-9]+)\"").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(2, squatterLabels.Count);

        // efs-b is unmounted and a new server is mounted: the new one takes a slot, the squatters still cannot.
        metrics.Record(Snapshots.Of(squatters) with { Blocked = [blocked], NfsMounts = [Mounted("efs-a"), Mounted("efs-c")] });
        have = await Export(registry);
        Assert.Contains("nfswatch_nfs_mounts{nfs_version=\"4.1\",server=\"efs-c\"} 1", have);
        Assert.DoesNotContain("efs-b", have);
    }

    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task AnRpcCounterResetsWhenItsMountGoesAwayInsteadOfFreezing()
    {
        var two = Snapshots.Of([]) with { NfsMounts =
        [
            new(new NfsMountStats("srv:/a", "/a", "nfs4", "vers=4.1", 100, 110, 4, 0, 0), "4.1", "srv"),
            new(new NfsMountStats("srv:/b", "/b", "nfs4", "vers=4.1", 50, 55, 2, 0, 0), "4.1", "srv"),
        ] };
        _metrics.Record(two);
        Assert.Contains("nfswatch_nfs_rpc_timeouts_total{server=\"srv\"} 6", await Export());

        _metrics.Record(two with { NfsMounts = [two.NfsMounts[0] with { Mount = two.NfsMounts[0].Mount with { Timeouts = 5 } }] });
        // The kernel's sum fell from 6 to 5: Prometheus must see a reset and then 5, not a flat 6.
        Assert.Contains("nfswatch_nfs_rpc_timeouts_total{server=\"srv\"} 5", await Export());
    }

    [Fact]
    public async Task MountUnitsCountActivatingPastTheThresholdAndFailedAndVanishWithoutABus()
    {
        _metrics.RecordMountUnits(
        [
            new MountUnit("mnt-efs.mount", "activating", "mounting", 45),
            new MountUnit("mnt-young.mount", "activating", "mounting", 5),
            new MountUnit("mnt-bad.mount", "failed", "failed", 0),
            new MountUnit("-.mount", "active", "mounted", 0),
        ], thresholdSeconds: 30);
        string have = await Export();
        Assert.Contains("nfswatch_systemd_mount_units{state=\"activating\"} 1", have);
        Assert.Contains("nfswatch_systemd_mount_units{state=\"failed\"} 1", have);
        Assert.Contains("nfswatch_probe_available{probe=\"dbus\"} 1", have);

        _metrics.RecordMountUnits(null, thresholdSeconds: 30);
        have = await Export();
        Assert.DoesNotContain("nfswatch_systemd_mount_units{", have);
        Assert.Contains("nfswatch_probe_available{probe=\"dbus\"} 0", have);
    }

    private async Task<string> Export()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Drops the histogram, whose values depend on nothing the test controls but the snapshot.</summary>
    private static string Strip(string exposition) =>
        string.Join('\n', exposition.Split('\n').Where(l => !l.Contains("nfswatch_scan_duration_seconds", StringComparison.Ordinal)));

    private async Task AssertGolden(string name)
    {
        string have = await Export();
        string path = Path.Combine(AppContext.BaseDirectory, "testdata", "metrics", name);
        if (Environment.GetEnvironmentVariable("NFSWATCH_UPDATE_GOLDEN") is { } dir)
            File.WriteAllText(Path.Combine(dir, name), have);
        Assert.Equal(File.ReadAllText(path), have);
    }
}
