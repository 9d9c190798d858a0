using System.Text;
using NfsWatch.Core.Detection;
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

    private static readonly MountCall Nfs = Snapshots.Call(4711, 4713, 342.5, hung: true, fstype: "nfs4", nfsVersion: "4.1", server: "fs-1.efs.eu-west-1.amazonaws.com", comm: "dockerd");
    private static readonly MountCall Unknown = Snapshots.Call(2100, 2100, 40, hung: true);
    private static readonly MountCall Young = Snapshots.Call(2200, 2201, 3, hung: false, syscall: "fsconfig", fstype: "ext4");

    [Fact]
    public async Task ExpositionMatchesTheGoldenFile()
    {
        _metrics.Record(Snapshots.Of([Nfs, Unknown, Young], newlyHung: [Nfs, Unknown], errors: new() { ["stat"] = 2 }));

        await AssertGolden("hung.prom");
    }

    [Fact]
    public async Task SeriesOfCallsThatEndedDisappearAndCountersKeepTheirCount()
    {
        _metrics.Record(Snapshots.Of([Nfs, Unknown, Young], newlyHung: [Nfs, Unknown], errors: new() { ["stat"] = 2 }));
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
