using System.Text.Json;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Live;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// A real Prometheus scrapes the real daemon every second and evaluates the shipped rules (the hung-mount alert's
/// for: cut to 3 s) while a genuinely hung mount(2) comes and goes (Live/HungMount.cs): the alert is not active
/// before the hang, goes pending then firing during it, and resolves after it; every recording rule is healthy,
/// and every dashboard query runs, with data where the daemon has it.
/// </summary>
[Collection("live")]
[Trait("Tier", "prometheus")]
public partial class LivePrometheusTests
{
    private const string HungAlert = "NfsWatchMountHung", BlockerAlert = "NfsWatchMountHeadOfLineBlocker", Cluster = "nfswatch-test";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheHungMountAlertFiresDuringARealHangAndResolvesAfterIt()
    {
        using var daemon = new Daemon(threshold: "1s", interval: "250ms");
        await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), TimeSpan.FromSeconds(20), "the first scan");
        string target = $"127.0.0.1:{daemon.Port}";
        string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var dashboard = JsonDocument.Parse(File.ReadAllText(OperationsFiles.Dashboard)).RootElement.Clone();

        using var prometheus = new PrometheusServer($$"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
              - {DIR}/nfswatch-alerts.yml
              - {DIR}/nfswatch-recording.yml
            scrape_configs:
              - job_name: nfswatch
                static_configs:
                  - targets: ["{{target}}"]
                    labels:
                      cluster: {{Cluster}}
            """, new Dictionary<string, string>
        {
            ["nfswatch-alerts.yml"] = OperationsFiles.WithFor(File.ReadAllText(OperationsFiles.Alerts), HungAlert, "3s"),
            ["nfswatch-recording.yml"] = File.ReadAllText(OperationsFiles.Recording),
        });

        // The test copy is what Prometheus runs: the hung-mount alert waits 3 s.
        var loaded = await prometheus.WaitForAsync(() => ShippedRulesTests.RulesAsync(prometheus), r => r.Count > 0, Patience, "the rules to load");
        Assert.Equal(3, Assert.Single(loaded, r => r.GetProperty("name").GetString() == HungAlert).GetProperty("duration").GetDouble());

        // Before the hang: scraped (the recording rule's zero line for the test cluster is there) and a few samples
        // deep (rates over 10 s have data), with no hung-mount alert after several evaluations.
        string clusterHung = $"cluster:nfswatch_hung_mount_threads:sum{{cluster=\"{Cluster}\"}}";
        await prometheus.WaitForAsync(() => prometheus.QueryVectorAsync(clusterHung), s => s.Count == 1, Patience,
            $"{clusterHung} (the daemon scraped, the recording rules evaluated)", Show);
        Assert.Equal(0, (await prometheus.QueryVectorAsync(clusterHung))[0].Value);
        await prometheus.WaitForAsync(() => prometheus.QueryVectorAsync($"count_over_time(nfswatch_last_scan_timestamp_seconds{{instance=\"{target}\"}}[10s])"),
            s => s.Count == 1 && s[0].Value >= 4, Patience, "4 samples of the daemon", Show);
        for (int i = 0; i < 3; i++)
        {
            var before = await AlertsAsync(prometheus);
            Assert.False(before.Any(a => a.Name is HungAlert or BlockerAlert), $"active before any hang:\n{ShowAlerts(before)}");
            await Task.Delay(1000);
        }
        Assert.Empty(await prometheus.QueryVectorAsync($"nfswatch_hung_mount_threads{{instance=\"{target}\"}}"));
        var variables = new Dictionary<string, string> { ["cluster"] = Cluster, ["instance"] = target };
        await CheckDashboardAsync(prometheus, dashboard, daemon, variables, hung: false);

        var seen = new List<string>();
        Alert firing;
        using (var hang = new HungMount())
        {
            hang.WaitUntilBlocked();
            // Pending first (for: 3s), then firing; polled every 100 ms, so the 3 s of pending cannot be missed.
            var alerts = await prometheus.WaitForAsync(async () =>
                {
                    var now = await AlertsAsync(prometheus);
                    foreach (var a in now.Where(a => a.Name == HungAlert))
                        if (seen.Count == 0 || seen[^1] != a.State) seen.Add(a.State);
                    return now;
                }, now => now.Any(a => a.Name == HungAlert && a.State == "firing"), Patience, $"{HungAlert} to fire", ShowAlerts);
            Assert.True(seen.Count >= 2 && seen[0] == "pending" && seen[^1] == "firing", $"{HungAlert} went {string.Join(" -> ", seen)}, not pending -> firing");
            firing = Assert.Single(alerts, a => a.Name == HungAlert);
            Assert.Equal("critical", firing.Labels["severity"]);
            Assert.Equal(target, firing.Labels["instance"]);
            Assert.Equal(Cluster, firing.Labels["cluster"]);
            Assert.Equal("nfswatch", firing.Labels["job"]);
            Assert.Equal(release, firing.Labels["kernel"]);
            Assert.False(firing.Labels.ContainsKey("role"), "role is summed away");
            Assert.StartsWith(OperationsFiles.RunbookPrefix, firing.Annotations["runbook_url"]);
            Assert.Contains(target, firing.Annotations["summary"]);
            // A mount held up by nothing is no head-of-line blocker.
            Assert.DoesNotContain(alerts, a => a.Name == BlockerAlert);

            Assert.Equal(1, (await prometheus.QueryVectorAsync(clusterHung))[0].Value);
            Assert.Equal(1, (await prometheus.QueryVectorAsync($"cluster:nfswatch_hosts_with_hung_mounts:count{{cluster=\"{Cluster}\"}}"))[0].Value);
            Assert.Contains(await prometheus.QueryVectorAsync("kernel_nfs_version:nfswatch_hung_mount_threads:sum"), s => s.Labels["kernel"] == release && s.Value >= 1);
            Assert.True((await prometheus.QueryVectorAsync($"cluster:nfswatch_hung_mount_oldest_seconds:max{{cluster=\"{Cluster}\"}}"))[0].Value >= 1);
            await CheckDashboardAsync(prometheus, dashboard, daemon, variables, hung: true);
        }

        // After the hang: the series go, the alert resolves, the recording rule is back at 0.
        await prometheus.WaitForAsync(() => AlertsAsync(prometheus), now => !now.Any(a => a.Name == HungAlert), Patience,
            $"{HungAlert} to resolve after the hang ended", ShowAlerts);
        await prometheus.WaitForAsync(() => prometheus.QueryVectorAsync(clusterHung), s => s.Count == 1 && s[0].Value == 0, Patience,
            $"{clusterHung} back at 0", Show);

        // Every rule, recording and alerting, evaluated against real data without error.
        var rules = await prometheus.WaitForAsync(() => ShippedRulesTests.RulesAsync(prometheus), r => r.All(ShippedRulesTests.Evaluated), Patience,
            "every rule evaluated", r => string.Join("\n", r));
        Assert.Contains(rules, r => r.GetProperty("type").GetString() == "recording");
        foreach (var rule in rules)
            Assert.True(rule.GetProperty("health").GetString() == "ok" && (!rule.TryGetProperty("lastError", out var error) || error.GetString() is null or ""),
                $"rule {rule.GetProperty("name")} is not healthy: {rule}");
    }

    /// <summary>
    /// Every dashboard query, with the test's cluster and instance and with "All" (.*), succeeds. A query returns
    /// data when every metric it selects is on the daemon's /metrics (and it filters no values away); the
    /// hung-mount queries show the hang (at least 1) during it and nothing (or 0) before.
    /// </summary>
    private static async Task CheckDashboardAsync(PrometheusServer prometheus, JsonElement dashboard, Daemon daemon,
        Dictionary<string, string> variables, bool hung)
    {
        var present = MetricNames(await daemon.ScrapeAsync());
        present.Add("up");
        if (hung) present.Add("ALERTS");
        // Series new on that scrape are in Prometheus with two samples or more (rates over 10 s) by then.
        await Task.Delay(3000);

        var queries = OperationsFiles.DashboardQueries(dashboard);
        Assert.True(queries.Count >= 20, $"only {queries.Count} dashboard queries");
        var all = new Dictionary<string, string> { ["cluster"] = ".*", ["instance"] = ".*" };
        foreach (var q in queries)
        {
            foreach (var values in new[] { variables, all })
            {
                string expr = OperationsFiles.Substitute(q.Expr, values);
                var answer = await prometheus.QueryAsync(expr);
                Assert.True(answer.GetProperty("status").GetString() == "success", $"{q.Where}: {expr}\n{answer}");
                var samples = await prometheus.QueryVectorAsync(expr);
                var selected = SelectedMetrics().Matches(expr).Select(m => m.Groups[1].Value).ToList();
                bool filters = ValueFilter().IsMatch(expr) && !expr.Contains("or vector(0)");
                if (selected.All(present.Contains) && !filters)
                    Assert.True(samples.Count > 0, $"{q.Where} returned no data although the daemon exports {string.Join(", ", selected)}: {expr}");
                bool hungQuery = (expr.Contains("nfswatch_hung_mount_threads") || expr.Contains("nfswatch_hung_mount_oldest_seconds"))
                    && !expr.Contains("role=\"blocker\"");
                if (hungQuery && hung)
                    Assert.True(samples.Count > 0 && samples.Max(s => s.Value) >= 1, $"{q.Where} does not show the hang: {expr} = {string.Join("; ", samples)}");
                if (hungQuery && !hung)
                    Assert.True(samples.All(s => s.Value == 0), $"{q.Where} shows a hang before there is one: {expr} = {string.Join("; ", samples)}");
            }
        }

        // The variables' own queries (label_values(selector, label)) find the test's cluster and instance.
        foreach (var v in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
        {
            string definition = v.GetProperty("definition").GetString()!;
            var m = LabelValues().Match(definition);
            Assert.True(m.Success, $"variable {v.GetProperty("name")}: not label_values(selector, label): {definition}");
            string label = m.Groups[2].Value;
            string expr = $"group by ({label}) ({OperationsFiles.Substitute(m.Groups[1].Value, variables)})";
            var samples = await prometheus.QueryVectorAsync(expr);
            string want = variables[v.GetProperty("name").GetString()!];
            Assert.True(samples.Any(s => s.Labels.GetValueOrDefault(label) == want), $"variable {v.GetProperty("name")} would not offer {want}: {expr} = {string.Join("; ", samples)}");
        }
    }

    private sealed record Alert(string Name, string State, Dictionary<string, string> Labels, Dictionary<string, string> Annotations);

    private static async Task<List<Alert>> AlertsAsync(PrometheusServer prometheus)
    {
        var answer = await prometheus.GetAsync("/api/v1/alerts");
        Assert.True(answer.GetProperty("status").GetString() == "success", $"/api/v1/alerts: {answer}");
        return [.. answer.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a =>
        {
            var labels = a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            return new Alert(labels["alertname"], a.GetProperty("state").GetString()!, labels,
                a.GetProperty("annotations").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        })];
    }

    private static string Show(List<PrometheusServer.Sample> samples) => samples.Count == 0 ? "(no samples)" : string.Join("\n", samples);

    private static string ShowAlerts(List<Alert> alerts) => alerts.Count == 0 ? "(no active alerts)"
        : string.Join("\n", alerts.Select(a => $"{a.Name} {a.State} {{{string.Join(",", a.Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}"));

    /// <summary>The metric names of an exposition's samples (a histogram's _bucket, _sum and _count included).</summary>
    private static HashSet<string> MetricNames(string exposition) =>
        [.. exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => ExpositionName().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]")]
    private static partial Regex ExpositionName();

    /// <summary>A metric selected with labels: name{...}.</summary>
    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex SelectedMetrics();

    /// <summary>A comparison against a number, which may filter every sample away.</summary>
    [GeneratedRegex(@"(==|!=|>=|<=|>|<)\s*[0-9]")]
    private static partial Regex ValueFilter();

    [GeneratedRegex(@"^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$")]
    private static partial Regex LabelValues();
}
