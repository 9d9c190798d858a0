using System.Text.RegularExpressions;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>The shipped rule files and the example scrape config, as promtool (Debian's prometheus package) sees them.</summary>
[Trait("Tier", "prometheus")]
public class PromtoolTests
{
    private const string Promtool = "promtool";

    [Fact]
    public void RuleFilesPassCheckRules()
    {
        var have = OperationsFiles.Run(Promtool, "check", "rules", OperationsFiles.Alerts, OperationsFiles.Recording);
        Assert.True(have.ExitCode == 0, $"promtool check rules exited {have.ExitCode}:\n{have.Output}");
    }

    [Fact]
    public void RuleUnitTestsPass()
    {
        var tests = RuleTests();
        Assert.True(tests.Length >= 2, $"expected unit tests of the alerting and of the recording rules in {OperationsFiles.RuleTestsDir}");
        var have = OperationsFiles.Run(Promtool, ["test", "rules", .. tests]);
        Assert.True(have.ExitCode == 0, $"promtool test rules exited {have.ExitCode}:\n{have.Output}");
        Assert.DoesNotContain("FAILED", have.Output);
    }

    /// <summary>The unit tests must bite: with the hung-mount alert's for: doubled, the head-of-line alert not
    /// limited to blockers, or the not-responding alert blind to a server's first line, they fail.</summary>
    [Theory]
    [InlineData("hung-for-2m")]
    [InlineData("blocker-any-role")]
    [InlineData("not-responding-increase-only")]
    public void RuleUnitTestsFailForAChangedRule(string change)
    {
        string shipped = File.ReadAllText(OperationsFiles.Alerts);
        string alerts = change switch
        {
            "hung-for-2m" => OperationsFiles.WithFor(shipped, "NfsWatchMountHung", "2m"),
            "blocker-any-role" => shipped.Replace("(nfswatch_hung_mount_threads{role=\"blocker\"})", "(nfswatch_hung_mount_threads)"),
            "not-responding-increase-only" => shipped.Replace("offset 15m", "offset 1s"),
            _ => throw new ArgumentException(change),
        };
        Assert.NotEqual(shipped, alerts);
        var dir = Directory.CreateTempSubdirectory("nfswatch-promtool-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "nfswatch-alerts.yml"), alerts);
            File.Copy(OperationsFiles.Recording, Path.Combine(dir.FullName, "nfswatch-recording.yml"));
            string tests = Directory.CreateDirectory(Path.Combine(dir.FullName, "tests")).FullName;
            foreach (string t in RuleTests()) File.Copy(t, Path.Combine(tests, Path.GetFileName(t)));

            var have = OperationsFiles.Run(Promtool, ["test", "rules", .. Directory.GetFiles(tests, "*.yml")]);
            Assert.True(have.ExitCode != 0, $"the unit tests passed with a changed rule:\n{have.Output}");
            Assert.Contains("FAILED", have.Output);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void ScrapeConfigExamplePassesCheckConfigWithTheShippedRules()
    {
        string example = File.ReadAllText(OperationsFiles.ScrapeExample);
        const string installed = "/usr/share/nfswatch/prometheus/";
        Assert.Contains(installed + "nfswatch-alerts.yml", example);
        Assert.Contains(installed + "nfswatch-recording.yml", example);
        var dir = Directory.CreateTempSubdirectory("nfswatch-promtool-");
        try
        {
            // The example names the rules where the packages install them; here they are in the checkout.
            string config = Path.Combine(dir.FullName, "prometheus.yml");
            File.WriteAllText(config, example.Replace(installed, OperationsFiles.PrometheusDir + "/"));
            var have = OperationsFiles.Run(Promtool, "check", "config", config);
            Assert.True(have.ExitCode == 0, $"promtool check config exited {have.ExitCode}:\n{have.Output}");
            Assert.Contains("SUCCESS: 2 rule files found", have.Output);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void ScrapeConfigExampleScrapesPort9856AndFederatesEveryRecordingRule()
    {
        string example = File.ReadAllText(OperationsFiles.ScrapeExample);
        Assert.Contains("port: 9856", example);
        Assert.Contains("target_label: cluster", example);
        Assert.Contains("__meta_ec2_instance_id", example);
        Assert.Contains("metrics_path: /federate", example);

        // Prometheus anchors a label regex at both ends (RE2); the federation's match[] must take every recorded series.
        var federated = FederatedNames().Matches(example).Select(m => new Regex($"^(?:{m.Groups[1].Value})$")).ToList();
        Assert.NotEmpty(federated);
        var records = Regex.Matches(File.ReadAllText(OperationsFiles.Recording), @"- record: (\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(records);
        foreach (string record in records)
            Assert.True(federated.Any(r => r.IsMatch(record)), $"the federation example does not take {record}");
    }

    private static string[] RuleTests() => Directory.GetFiles(OperationsFiles.RuleTestsDir, "*.yml").Order().ToArray();

    private static Regex FederatedNames() => new("__name__=~\"([^\"]+)\"");
}
