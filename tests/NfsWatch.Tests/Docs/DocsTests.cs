using System.Reflection;
using System.Text.RegularExpressions;
using NfsWatch.Configuration;
using NfsWatch.Core.Explanation;
using NfsWatch.Outputs.Metrics;
using NfsWatch.Tests.Support;
using Prometheus;

namespace NfsWatch.Tests.Docs;

/// <summary>
/// The docs are the contract, and these tests hold the binary to them: every metric, option and built-in signature
/// is documented as the code defines it, every relative link and anchor resolves, and no product file speaks of
/// anything outside the repository.
/// </summary>
public partial class DocsTests
{
    private static string Repo => TestHost.RepoRoot;
    private static string Doc(string name) => File.ReadAllText(Path.Combine(Repo, "docs", name));

    /// <summary>The rows of the tables of a page whose first cell is a code span, keyed by what is inside it.</summary>
    private static Dictionary<string, string[]> Rows(string page, Func<string, string> key) =>
        Markdown.TableRows(Doc(page)).Where(r => r.Length > 1 && r[0].StartsWith('`'))
            .GroupBy(r => key(r[0])).ToDictionary(g => g.Key, g => g.First());

    [Fact]
    public void EveryMetricIsDocumentedWithItsTypeAndLabelsAndNothingElseIs()
    {
        var metrics = new NfsWatchMetrics(Prometheus.Metrics.NewCustomRegistry(), "0.1.0");
        var defined = typeof(NfsWatchMetrics).GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(f => typeof(Collector).IsAssignableFrom(f.FieldType))
            .Select(f => (Collector)f.GetValue(metrics)!)
            .ToDictionary(c => c.Name, c => (Type: c switch { Gauge => "gauge", Counter => "counter", Histogram => "histogram", _ => c.GetType().Name }, Labels: c.LabelNames));
        Assert.True(defined.Count >= 20, $"only {defined.Count} metrics found by reflection");

        var documented = Rows("metrics.md", c => c.Trim('`')).Where(r => r.Key.StartsWith("nfswatch_", StringComparison.Ordinal)).ToDictionary();
        foreach (var (name, (type, labels)) in defined)
        {
            Assert.True(documented.TryGetValue(name, out var row), $"{name} is not in docs/metrics.md");
            Assert.True(type == row[1], $"{name} is a {type}; docs/metrics.md says {row[1]}");
            var docLabels = row[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(labels.SequenceEqual(docLabels), $"{name} has labels [{string.Join(", ", labels)}]; docs/metrics.md says [{string.Join(", ", docLabels)}]");
        }
        Assert.Empty(documented.Keys.Except(defined.Keys));
    }

    [Fact]
    public void EveryOptionIsDocumentedWithItsEnvironmentVariableAndFileKeyAndNothingElseIs()
    {
        var documented = Rows("configuration.md", c => OptionName().Match(c) is { Success: true } m ? m.Groups[1].Value : c)
            .Where(r => r.Value[0].StartsWith("`--", StringComparison.Ordinal)).ToDictionary();
        foreach (var spec in OptionSpec.All)
        {
            Assert.True(documented.TryGetValue(spec.Name, out var row), $"--{spec.Name} is not in docs/configuration.md's table");
            Assert.Equal($"`{spec.EnvironmentName}`", row[1]);
            // The file key: the name without --, except for --config itself, which no file can set.
            Assert.Equal(spec.Name == "config" ? "" : $"`{spec.Name}`", row[2]);
            string value = spec.ValueName is null ? $"`--{spec.Name}`" : $"`--{spec.Name} {spec.ValueName}`";
            Assert.True(row[0] == value, $"--{spec.Name}: docs/configuration.md writes {row[0]}, the binary's help {value}");
        }
        Assert.Empty(documented.Keys.Except(OptionSpec.All.Select(o => o.Name)));
    }

    [Fact]
    public void EveryBuiltInSignatureIsInTheSignaturesTable()
    {
        var documented = Rows("signatures.md", c => c.Trim('`')).Keys.ToHashSet();
        var ids = SignatureCatalog.Defaults.Signatures.Select(s => s.Id).ToList();
        Assert.Empty(ids.Except(documented));
        Assert.Empty(documented.Except(ids));
    }

    /// <summary>The fenced blocks of a page in a language (```json).</summary>
    private static List<string> Fenced(string page, string language) =>
        [.. Regex.Matches(Doc(page), "```" + language + @"\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value)];

    [Fact]
    public void TheExamplesOfTheDocsAreAcceptedByTheBinary()
    {
        using var dir = new TempTree();
        // The signature file of docs/signatures.md, comments included, as an operator would copy it.
        string signatures = Path.Combine(dir.Path, "signatures.json");
        File.WriteAllText(signatures, Assert.Single(Fenced("signatures.md", "json")));
        var catalog = SignatureCatalog.Load(signatures);
        Assert.Equal("our-efs-outage", catalog.Signatures[0].Id);
        // The configuration file of docs/configuration.md.
        string config = Path.Combine(dir.Path, "nfswatch.json");
        File.WriteAllText(config, Assert.Single(Fenced("configuration.md", "json")));
        var options = OptionsLoader.Load("run", ["--config", config], _ => null);
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10)), (options.Threshold, options.Interval));
        // The scan document of docs/scan-json.md has every field the schema asks for (values shortened with "...").
        ScanSchema.AssertValid(Assert.Single(Fenced("scan-json.md", "json")), "the example of docs/scan-json.md");
    }

    /// <summary>Every Markdown file a reader lands on: the README, docs/, and the READMEs beside the code.</summary>
    public static TheoryData<string> MarkdownFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in new[] { "README.md" }
                     .Concat(Directory.GetFiles(Path.Combine(Repo, "docs"), "*.md").Select(f => Path.GetRelativePath(Repo, f)))
                     .Concat(["tests/vm/README.md", "tests/bench/README.md", "tests/NfsWatch.Tests/testdata/corpus/README.md",
                         "tests/NfsWatch.Tests/testdata/stacks/README.md"])
                     .Order(StringComparer.Ordinal))
            data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void EveryRelativeLinkAndAnchorResolves(string file)
    {
        string path = Path.Combine(Repo, file);
        var broken = new List<string>();
        foreach (string link in Markdown.Links(File.ReadAllText(path)))
        {
            if (link.StartsWith("http://", StringComparison.Ordinal) || link.StartsWith("https://", StringComparison.Ordinal) || link.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            string target = link, anchor = "";
            int hash = link.IndexOf('#');
            if (hash >= 0) (target, anchor) = (link[..hash], link[(hash + 1)..]);
            string resolved = target.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target));
            if (!File.Exists(resolved) && !Directory.Exists(resolved)) { broken.Add($"{link}: no file {Path.GetRelativePath(Repo, resolved)}"); continue; }
            if (anchor.Length > 0 && !(resolved.EndsWith(".md", StringComparison.Ordinal) && Markdown.HeadingAnchors(File.ReadAllText(resolved)).Contains(anchor)))
                broken.Add($"{link}: no heading #{anchor} in {Path.GetRelativePath(Repo, resolved)}");
        }
        Assert.True(broken.Count == 0, $"{file}:\n  {string.Join("\n  ", broken)}");
    }

    [Fact]
    public void TheLinkCheckerFindsABrokenFileAndABrokenAnchor()
    {
        string markdown = "# Title\n## A section\nSee [a](#a-section), [b](#no-such), [c](missing.md), `[d](not-a-link.md)`.\n```\n[e](in-code.md)\n```\n";
        Assert.Equal(["#a-section", "#no-such", "missing.md"], Markdown.Links(markdown));
        Assert.DoesNotContain("no-such", Markdown.HeadingAnchors(markdown));
    }

    [Fact]
    public void EveryRunbookUrlOfTheShippedFilesPointsAtARunbookHeading()
    {
        var anchors = Markdown.HeadingAnchors(Doc("runbook.md"));
        const string prefix = "https://github.com/nfswatch/nfswatch/blob/main/docs/";
        var urls = new[] { "packaging/prometheus/nfswatch-alerts.yml", "packaging/grafana/nfswatch-dashboard.json" }
            .Concat(Directory.GetFiles(Path.Combine(Repo, "packaging", "prometheus", "tests"), "*.yml").Select(f => Path.GetRelativePath(Repo, f)))
            .SelectMany(f => GitHubLink().Matches(File.ReadAllText(Path.Combine(Repo, f))).Select(m => (File: f, Url: m.Value))).ToList();
        Assert.True(urls.Count >= 12, $"only {urls.Count} links found");
        foreach (var (file, url) in urls)
        {
            Assert.True(url.StartsWith(prefix + "runbook.md#", StringComparison.Ordinal), $"{file}: {url} is not a link into docs/runbook.md");
            Assert.True(anchors.Contains(url[(url.IndexOf('#') + 1)..]), $"{file}: {url} names no heading of docs/runbook.md");
        }
    }

    [Fact]
    public void TheManPageNamesOnlyPagesThatExist()
    {
        string man = File.ReadAllText(Path.Combine(Repo, "packaging", "nfswatch.1"));
        var pages = Regex.Matches(man, @"docs/([a-z\\-]+\.(?:md|json))\.gz").Select(m => m.Groups[1].Value.Replace("\\-", "-")).ToList();
        Assert.True(pages.Count >= 5, "the man page points at the documentation");
        foreach (string page in pages) Assert.True(File.Exists(Path.Combine(Repo, "docs", page)), $"the man page names docs/{page}, which does not exist");
    }

    /// <summary>Product files: everything the repository tracks. A public tracker's "libfuse issue #509" is a citation, not a reference.</summary>
    [Fact]
    public void NoProductFileSpeaksOfAnythingOutsideTheRepository()
    {
        var tracked = TestHost.Run("git", "-C", Repo, "ls-files").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(tracked.Length > 100, "git ls-files lists the repository");
        var offending = new List<string>();
        foreach (string file in tracked)
        {
            // Links are not followed: the fixture trees hold fd and cwd links to paths of other machines.
            var info = new FileInfo(Path.Combine(Repo, file));
            if (info.LinkTarget is not null || !info.Exists || info.Length > 4 << 20) continue;
            string path = info.FullName;
            string text = File.ReadAllText(path);
            if (text.Contains('\0')) continue;
            foreach (Match m in OutsideReference().Matches(text))
                offending.Add($"{file}: \"{m.Value}\"");
        }
        Assert.True(offending.Count == 0, string.Join("\n", offending.Take(40)));
        Assert.Matches(OutsideReference(), "see " + Outside + "/x");
        Assert.Matches(OutsideReference(), "as iss" + "ue 7 asks");
        Assert.DoesNotMatch(OutsideReference(), "libfuse issue #509");
    }

    // Written in pieces so that this file does not match itself: the directory beside the repository where the
    // project's working notes live, and the notes kept there.
    private const string Outside = ".." + "/sha" + "red";
    private static readonly Regex OutsideReferencePattern = new(
        Regex.Escape(Outside) + "|" + "TEST" + @"BED\.md|" + "INTER" + @"FACE\.md|\b[Ii]ss" + @"ues? \d", RegexOptions.Compiled);

    /// <summary>A reference to the working notes, or "issue N" (a public tracker's citations carry '#': "issue #509").</summary>
    private static Regex OutsideReference() => OutsideReferencePattern;

    [GeneratedRegex(@"^`--([a-z-]+)")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"https://github\.com/nfswatch/nfswatch/blob/main/[^\s""']+")]
    private static partial Regex GitHubLink();

}
