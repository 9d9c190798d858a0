using System.Text.Json;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// The Grafana dashboard's shape: what an import needs (datasource input and variable, cluster and instance
/// variables), and panels for what on-call looks at. Its queries run against a real Prometheus in
/// <see cref="LivePrometheusTests"/>.
/// </summary>
[Trait("Tier", "prometheus")]
public class DashboardTests
{
    private static JsonElement Load() => JsonDocument.Parse(File.ReadAllText(OperationsFiles.Dashboard)).RootElement.Clone();

    [Fact]
    public void ImportsWithADatasourceInputAndClusterAndInstanceVariables()
    {
        var d = Load();
        Assert.InRange(d.GetProperty("schemaVersion").GetInt32(), 36, 41);
        Assert.Equal("nfswatch", d.GetProperty("uid").GetString());
        Assert.Contains(d.GetProperty("__inputs").EnumerateArray(),
            i => i.GetProperty("name").GetString() == "DS_PROMETHEUS" && i.GetProperty("pluginId").GetString() == "prometheus");

        var variables = d.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.Equal("datasource", variables["datasource"].GetProperty("type").GetString());
        Assert.Equal("prometheus", variables["datasource"].GetProperty("query").GetString());
        foreach (string name in new[] { "cluster", "instance" })
        {
            var v = variables[name];
            Assert.Equal("query", v.GetProperty("type").GetString());
            Assert.Equal("${datasource}", v.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.True(v.GetProperty("includeAll").GetBoolean());
            // "All" must match hosts without the label too (static targets without a cluster).
            Assert.Equal(".*", v.GetProperty("allValue").GetString());
        }
        Assert.Contains("$cluster", variables["instance"].GetProperty("definition").GetString());
    }

    [Fact]
    public void EveryPanelUsesTheDatasourceVariableAndHasAUniqueIdAndPlace()
    {
        var d = Load();
        var ids = new HashSet<int>();
        var cells = new HashSet<(int X, int Y)>();
        foreach (var panel in OperationsFiles.Panels(d))
        {
            string title = panel.GetProperty("title").GetString()!;
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"panel id of '{title}' repeated");
            var grid = panel.GetProperty("gridPos");
            int x = grid.GetProperty("x").GetInt32(), y = grid.GetProperty("y").GetInt32(), w = grid.GetProperty("w").GetInt32(), h = grid.GetProperty("h").GetInt32();
            Assert.True(x >= 0 && w > 0 && x + w <= 24, $"panel '{title}' is outside the 24-column grid");
            for (int i = x; i < x + w; i++)
                for (int j = y; j < y + h; j++)
                    Assert.True(cells.Add((i, j)), $"panel '{title}' overlaps another at {i},{j}");
            if (panel.GetProperty("type").GetString() == "row") continue;
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            foreach (var t in targets)
            {
                Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), $"panel '{title}' has an empty query");
            }
        }
    }

    /// <summary>What the issue asks the dashboard to show, found in its queries.</summary>
    [Theory]
    [InlineData("sum by (server) (nfswatch_hung_mount_threads")]
    [InlineData("sum by (nfs_version) (nfswatch_hung_mount_threads")]
    [InlineData("sum by (kernel) (nfswatch_hung_mount_threads")]
    [InlineData("nfswatch_hung_mount_oldest_seconds")]
    [InlineData("nfswatch_nfs_blocked_threads")]
    [InlineData("rate(nfswatch_kernel_log_events_total")]
    [InlineData("rate(nfswatch_nfs_rpc_retransmissions_total")]
    [InlineData("rate(nfswatch_nfs_rpc_timeouts_total")]
    [InlineData("rate(nfswatch_nfs_rpc_backlog_queue_total")]
    [InlineData("histogram_quantile(0.99, sum by (instance, le) (rate(nfswatch_scan_duration_seconds_bucket")]
    [InlineData("time() - max by (instance) (nfswatch_last_scan_timestamp_seconds")]
    [InlineData("nfswatch_scan_errors_total")]
    [InlineData("nfswatch_scan_stalls_total")]
    [InlineData("nfswatch_probe_available")]
    [InlineData("nfswatch_systemd_mount_units")]
    public void AQueryShows(string fragment)
    {
        var queries = OperationsFiles.DashboardQueries(Load());
        Assert.Contains(queries, q => q.Expr.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryQueryFiltersByClusterAndInstance()
    {
        foreach (var q in OperationsFiles.DashboardQueries(Load()))
        {
            // Each selector of a query, not just one of them: a query over two metrics filters both.
            int selectors = q.Expr.Split('{').Length - 1;
            Assert.True(selectors > 0, $"{q.Where}: no label selector in {q.Expr}");
            Assert.Equal(selectors, CountOf(q.Expr, "cluster=~\"$cluster\""));
            Assert.Equal(selectors, CountOf(q.Expr, "instance=~\"$instance\""));
        }
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
