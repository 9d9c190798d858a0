using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// The operations files NfsWatch ships (packaging/prometheus, packaging/grafana) and what the tests do with them:
/// run promtool, rewrite a rule for a test, list the dashboard's queries, compute GitHub's heading anchors.
/// </summary>
public static partial class OperationsFiles
{
    public static string PrometheusDir => Path.Combine(TestHost.RepoRoot, "packaging", "prometheus");
    public static string Alerts => Path.Combine(PrometheusDir, "nfswatch-alerts.yml");
    public static string Recording => Path.Combine(PrometheusDir, "nfswatch-recording.yml");
    public static string RuleTestsDir => Path.Combine(PrometheusDir, "tests");
    public static string ScrapeExample => Path.Combine(PrometheusDir, "scrape-config.example.yml");
    public static string Dashboard => Path.Combine(TestHost.RepoRoot, "packaging", "grafana", "nfswatch-dashboard.json");
    public static string Runbook => Path.Combine(TestHost.RepoRoot, "docs", "runbook.md");

    /// <summary>Where each runbook_url must point: docs/runbook.md on GitHub, plus an anchor.</summary>
    public const string RunbookPrefix = "https://github.com/nfswatch/nfswatch/blob/main/docs/runbook.md#";

    public record ToolResult(int ExitCode, string Output);

    /// <summary>Runs promtool (or another tool) to completion, stdout and stderr together, killing it after 2 minutes.</summary>
    public static ToolResult Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill();
            Assert.Fail($"{tool} {string.Join(' ', args)} did not finish in 2 minutes:\n{output}");
        }
        p.WaitForExit();
        lock (output) return new ToolResult(p.ExitCode, output.ToString());
    }

    /// <summary>
    /// The rules text with one alert's <c>for:</c> replaced, for a test that cannot wait a minute. Fails unless
    /// exactly that alert had exactly one <c>for:</c>.
    /// </summary>
    public static string WithFor(string rulesYaml, string alert, string duration)
    {
        var lines = rulesYaml.Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"- alert: {alert}");
        Assert.True(start >= 0, $"no alert {alert}");
        int end = Array.FindIndex(lines, start + 1, l => l.TrimStart().StartsWith("- alert:", StringComparison.Ordinal) || l.TrimStart().StartsWith("- record:", StringComparison.Ordinal));
        if (end < 0) end = lines.Length;
        var forLines = Enumerable.Range(start, end - start).Where(i => ForLine().IsMatch(lines[i])).ToList();
        Assert.True(forLines.Count == 1, $"alert {alert} has {forLines.Count} for: lines");
        lines[forLines[0]] = ForLine().Replace(lines[forLines[0]], $"${{1}}for: {duration}");
        return string.Join('\n', lines);
    }

    /// <summary>A dashboard query: where it is (panel title, annotation or variable) and its PromQL, variables not yet substituted.</summary>
    public record DashboardQuery(string Where, string Expr);

    /// <summary>Every PromQL of the dashboard: panel targets (rows included), and annotation queries.</summary>
    public static List<DashboardQuery> DashboardQueries(JsonElement dashboard)
    {
        var queries = new List<DashboardQuery>();
        foreach (var panel in Panels(dashboard))
            if (panel.TryGetProperty("targets", out var targets))
                foreach (var t in targets.EnumerateArray())
                    queries.Add(new DashboardQuery($"panel '{panel.GetProperty("title").GetString()}' {t.GetProperty("refId").GetString()}",
                        t.GetProperty("expr").GetString()!));
        if (dashboard.TryGetProperty("annotations", out var annotations))
            foreach (var a in annotations.GetProperty("list").EnumerateArray())
                if (a.TryGetProperty("expr", out var expr))
                    queries.Add(new DashboardQuery($"annotation '{a.GetProperty("name").GetString()}'", expr.GetString()!));
        return queries;
    }

    /// <summary>Every panel, including those inside collapsed rows.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var inner))
                foreach (var p in inner.EnumerateArray()) yield return p;
        }
    }

    /// <summary>
    /// A query as Grafana sends it: template variables and Grafana's interval variables replaced. Fails when a
    /// variable is left, so a new one in the dashboard needs a value here.
    /// </summary>
    public static string Substitute(string expr, IReadOnlyDictionary<string, string> variables)
    {
        var grafana = new Dictionary<string, string>
        {
            // Grafana's $__rate_interval is max(4 x scrape interval, $__interval + scrape interval): the test
            // Prometheus scrapes every second.
            ["__rate_interval"] = "10s", ["__interval"] = "2s", ["__interval_ms"] = "2000",
            ["__range"] = "1m", ["__range_s"] = "60", ["__range_ms"] = "60000",
        };
        foreach (var (k, v) in variables) grafana[k] = v;
        // Longest names first: $__range before $__range_s would be wrong.
        string result = expr;
        foreach (var (name, value) in grafana.OrderByDescending(kv => kv.Key.Length))
            result = result.Replace("${" + name + "}", value).Replace("$" + name, value);
        Assert.False(result.Contains('$'), $"a variable the test does not know is left in: {result}");
        return result;
    }

    /// <summary>The anchors GitHub gives the headings of a Markdown file (<see cref="Markdown.HeadingAnchors"/>).</summary>
    public static List<string> HeadingAnchors(string markdown) => Markdown.HeadingAnchors(markdown);

    public static string Slug(string heading) => Markdown.Slug(heading);

    [GeneratedRegex(@"^(\s*)for:\s*\S+\s*$")]
    private static partial Regex ForLine();

}
