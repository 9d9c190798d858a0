using System.Text.Json;
using System.Text.RegularExpressions;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// The shipped rule files as a real Prometheus loads them (its /api/v1/rules is the parser): every alert carries a
/// severity, a summary, a description and a runbook link to a heading of docs/runbook.md, and every rule has unit
/// tests in packaging/prometheus/tests.
/// </summary>
[Trait("Tier", "prometheus")]
public class ShippedRulesTests
{
    private static readonly string[] Severities = ["critical", "warning", "info"];

    [Fact]
    public async Task EveryAlertHasSeveritySummaryDescriptionAndARunbookHeading()
    {
        var rules = await LoadedRulesAsync();
        var alerts = rules.Where(r => r.GetProperty("type").GetString() == "alerting").ToList();
        Assert.True(alerts.Count >= 10, $"only {alerts.Count} alerting rules loaded");
        var anchors = OperationsFiles.HeadingAnchors(File.ReadAllText(OperationsFiles.Runbook));
        Assert.Contains("runbook", anchors);

        foreach (var alert in alerts)
        {
            string name = alert.GetProperty("name").GetString()!;
            var labels = alert.GetProperty("labels");
            Assert.True(labels.TryGetProperty("severity", out var severity) && Severities.Contains(severity.GetString()),
                $"{name}: severity must be one of {string.Join(", ", Severities)}: {labels}");
            var annotations = alert.GetProperty("annotations");
            foreach (string a in new[] { "summary", "description", "runbook_url" })
                Assert.True(annotations.TryGetProperty(a, out var v) && !string.IsNullOrWhiteSpace(v.GetString()), $"{name}: no {a} annotation");
            string url = annotations.GetProperty("runbook_url").GetString()!;
            Assert.StartsWith(OperationsFiles.RunbookPrefix, url);
            string anchor = url[OperationsFiles.RunbookPrefix.Length..];
            Assert.True(anchors.Contains(anchor), $"{name}: runbook_url anchor #{anchor} is no heading of docs/runbook.md (its anchors: {string.Join(" ", anchors)})");
            // One runbook section per alert, named after it.
            Assert.Equal(OperationsFiles.Slug(name), anchor);
        }
        var critical = alerts.Where(a => a.GetProperty("labels").GetProperty("severity").GetString() == "critical").Select(a => a.GetProperty("name").GetString());
        Assert.Contains("NfsWatchMountHung", critical);
    }

    [Fact]
    public async Task EveryAlertHasAFiringAndANotFiringUnitTest()
    {
        var rules = await LoadedRulesAsync();
        string tests = string.Join("\n", Directory.GetFiles(OperationsFiles.RuleTestsDir, "*.yml").Select(File.ReadAllText));
        // alertname: X followed by exp_alerts: [] (not firing) or by exp_alerts: and a list (firing).
        var cases = Regex.Matches(tests, @"alertname:\s*(\S+)\s*\n\s*exp_alerts:\s*(\[\])?")
            .Select(m => (Alert: m.Groups[1].Value, Firing: !m.Groups[2].Success)).ToList();
        foreach (var alert in rules.Where(r => r.GetProperty("type").GetString() == "alerting"))
        {
            string name = alert.GetProperty("name").GetString()!;
            Assert.True(cases.Contains((name, true)), $"no unit test in which {name} fires");
            Assert.True(cases.Contains((name, false)), $"no unit test in which {name} does not fire");
        }
    }

    [Fact]
    public async Task EveryRecordingRuleHasAUnitTestAndALevelMetricOperationName()
    {
        var rules = await LoadedRulesAsync();
        var records = rules.Where(r => r.GetProperty("type").GetString() == "recording").Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.True(records.Count >= 5, $"only {records.Count} recording rules loaded");
        string tests = string.Join("\n", Directory.GetFiles(OperationsFiles.RuleTestsDir, "*.yml").Select(File.ReadAllText));
        foreach (string record in records)
        {
            Assert.Matches(@"^[a-z_]+:nfswatch_[a-z_]+:[a-z_]+$", record);
            Assert.True(Regex.IsMatch(tests, $@"-\s*expr:\s*{Regex.Escape(record)}\s*\n"), $"no promql_expr_test of {record}");
        }
        foreach (string wanted in new[] { "cluster:nfswatch_hung_mount_threads:sum", "kernel_nfs_version:nfswatch_hung_mount_threads:sum",
                     "cluster:nfswatch_nfs_blocked_threads:sum", "cluster:nfswatch_hosts_with_hung_mounts:count" })
            Assert.Contains(wanted, records);
    }

    /// <summary>Evaluated with no data at all, every rule is healthy: no rule errors on an empty or partial fleet.</summary>
    [Fact]
    public async Task EveryRuleEvaluatesWithoutErrorOnNoData()
    {
        using var prometheus = Start();
        var rules = await prometheus.WaitForAsync(() => RulesAsync(prometheus), r => r.Count > 0 && r.All(Evaluated), TimeSpan.FromSeconds(30),
            "every rule evaluated once", r => string.Join("\n", r));
        foreach (var rule in rules)
            Assert.True(rule.GetProperty("health").GetString() == "ok", $"rule {rule.GetProperty("name")} is not healthy: {rule}");
    }

    [Theory]
    [InlineData("Set up a machine", "set-up-a-machine")]
    [InlineData("Beyond the scan JSON's first version", "beyond-the-scan-jsons-first-version")]
    [InlineData("Example: `nfswatch scan` during a real hang", "example-nfswatch-scan-during-a-real-hang")]
    [InlineData("Alerts, dashboards and the runbook", "alerts-dashboards-and-the-runbook")]
    [InlineData("NfsWatchMountHung", "nfswatchmounthung")]
    [InlineData("The /metrics endpoint (HTTP/1.1)", "the-metrics-endpoint-http11")]
    public void HeadingAnchorsFollowGitHub(string heading, string anchor) => Assert.Equal(anchor, OperationsFiles.Slug(heading));

    [Fact]
    public void RepeatedHeadingsGetNumberedAnchorsAndFencedCodeIsNoHeading()
    {
        string markdown = "# A\n## Notes\n```sh\n# not a heading\n```\n### Notes\n## Notes ##\n";
        Assert.Equal(["a", "notes", "notes-1", "notes-2"], OperationsFiles.HeadingAnchors(markdown));
    }

    private static PrometheusServer Start() => new($"""
        global:
          evaluation_interval: 1s
        rule_files:
          - {OperationsFiles.Alerts}
          - {OperationsFiles.Recording}
        """);

    private static async Task<List<JsonElement>> LoadedRulesAsync()
    {
        using var prometheus = Start();
        return await prometheus.WaitForAsync(() => RulesAsync(prometheus), r => r.Count > 0, TimeSpan.FromSeconds(30), "the rules to load");
    }

    /// <summary>Every rule of /api/v1/rules, of every group.</summary>
    internal static async Task<List<JsonElement>> RulesAsync(PrometheusServer prometheus)
    {
        var answer = await prometheus.GetAsync("/api/v1/rules");
        Assert.True(answer.GetProperty("status").GetString() == "success", $"/api/v1/rules: {answer}");
        return [.. answer.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray())];
    }

    /// <summary>A rule Prometheus has evaluated at least once (before that, lastEvaluation is the zero time).</summary>
    internal static bool Evaluated(JsonElement rule) =>
        rule.TryGetProperty("lastEvaluation", out var t) && DateTimeOffset.TryParse(t.GetString(), out var at) && at.Year > 2000;
}
