using System.Text;
using System.Text.Json;
using NfsWatch.Core.Explanation;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// The public corpus (testdata/corpus, one case per public report, README there): `nfswatch scan --json` on each
/// case's /proc tree, judged against what a kernel engineer would say from the report's own discussion. Every
/// thread must be found, none may get wrong advice, and at least 90% must be explained. The table of
/// docs/corpus.md is written from the same answers.
/// </summary>
public class CorpusTests
{
    private static string CorpusDir => Path.Combine(Fixtures.SourceTestData, "corpus");

    private static IEnumerable<string> CaseNames() =>
        Directory.GetDirectories(CorpusDir).Where(d => File.Exists(Path.Combine(d, "expect.json"))).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal);

    public static TheoryData<string> Cases() => new(CaseNames());

    private sealed record Expected(int Tid, string List, string? FsType, string? NfsVersion, string? Server, string? Signature, string? Role, int? WaitsFor, string Cause);

    private sealed record Answer(string Case, JsonElement Expect, int ExitCode, JsonElement Scan);

    /// <summary>One scan per case, shared by the tests of this class.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, Answer>> Answers = new(() =>
        // One at a time: each scan starts isolated-reader children with a 1 s deadline, which a storm of parallel
        // scans (and JIT start-up) could make them miss.
        CaseNames().Select(Scan).ToDictionary(a => a.Case));

    private static Answer Scan(string name)
    {
        string dir = Path.Combine(CorpusDir, name);
        var run = NfsWatchProcess.Run(["scan", "--json", "--threshold", "30s", "--procfs", Path.Combine(dir, "proc"), "--kmsg", Path.Combine(dir, "kmsg")]);
        Assert.True(run.ExitCode is 0 or 1, $"{name}: exit {run.ExitCode}: {run.Stderr}");
        var expect = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "expect.json"))).RootElement.Clone();
        return new Answer(name, expect, run.ExitCode, JsonDocument.Parse(run.Stdout).RootElement.Clone());
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<Expected> ExpectedThreads(JsonElement expect) => expect.GetProperty("threads").EnumerateArray().Select(t => new Expected(
        t.GetProperty("tid").GetInt32(), Str(t, "list")!, Str(t, "fstype"), Str(t, "nfs_version"), Str(t, "server"), Str(t, "signature"),
        Str(t, "role"), t.GetProperty("waits_for").ValueKind == JsonValueKind.Number ? t.GetProperty("waits_for").GetInt32() : null, Str(t, "cause")!));

    private static IEnumerable<(string List, JsonElement Thread)> Reported(JsonElement scan) =>
        new[] { "mount_syscalls", "nfs_blocked" }.SelectMany(list => scan.GetProperty(list).EnumerateArray().Select(t => (list, t)));

    /// <summary>How NfsWatch's answer for one expected thread is judged (the corpus README, "How answers are judged").</summary>
    private sealed record Verdict(bool Explained, IReadOnlyList<string> Wrong, string Answer);

    private static Verdict Judge(Expected want, JsonElement have)
    {
        var wrong = new List<string>();
        string? signature = have.GetProperty("signature").ValueKind == JsonValueKind.Object ? Str(have.GetProperty("signature"), "id") : null;
        int? waitsFor = have.GetProperty("waits_for").ValueKind == JsonValueKind.Object ? have.GetProperty("waits_for").GetProperty("tid").GetInt32() : null;
        string? role = Str(have, "role"), cause = Str(have, "cause");
        if (signature is not null && signature != want.Signature) wrong.Add($"signature {signature}, expected {want.Signature ?? "none"}");
        if (waitsFor is not null && waitsFor != want.WaitsFor) wrong.Add($"waits for {waitsFor}, expected {(want.WaitsFor?.ToString() ?? "none")}");
        if (role is not null && role != want.Role) wrong.Add($"role {role}, expected {want.Role ?? "none"}");
        bool server(string? c) => c is "server_not_responding" or "no_reply_from_server";
        if (cause is not "unknown" && cause != want.Cause && (server(cause) != server(want.Cause) || cause == "server_not_responding"))
            wrong.Add($"cause {cause}, expected {want.Cause}");
        foreach (var (field, value, expected) in new[] { ("nfs_version", Str(have, "nfs_version"), want.NfsVersion), ("server", Str(have, "server"), want.Server) })
            if (value is not null && value != expected) wrong.Add($"{field} {value}, expected {expected ?? "none"}");
        bool mountRight = Str(have, "fstype") == want.FsType && Str(have, "nfs_version") == want.NfsVersion && Str(have, "server") == want.Server;
        bool explained = (want.Signature is not null && signature == want.Signature)
                         || (want.WaitsFor is not null && waitsFor == want.WaitsFor)
                         || (signature is null && waitsFor is null && (cause is "unknown" || cause == want.Cause) && mountRight);
        var parts = new List<string>();
        if (signature is not null) parts.Add($"`{signature}`");
        if (waitsFor is not null) parts.Add($"waits for {waitsFor}");
        if (role is not null) parts.Add(role);
        parts.Add(cause!);
        return new Verdict(explained && wrong.Count == 0, wrong, $"{want.Tid}: {string.Join(", ", parts)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryThreadIsFoundWithItsFileSystemAndNoneGetsWrongAdvice(string name)
    {
        var answer = Answers.Value[name];
        var expected = ExpectedThreads(answer.Expect).ToList();
        var reported = Reported(answer.Scan).ToList();
        var problems = new List<string>();
        foreach (var want in expected)
        {
            var found = reported.Where(r => r.Thread.GetProperty("tid").GetInt32() == want.Tid).ToList();
            if (found.Count != 1) { problems.Add($"{want.Tid}: not reported"); continue; }
            var (list, have) = found[0];
            if (list != want.List) problems.Add($"{want.Tid}: in {list}, expected in {want.List}");
            if (Str(have, "fstype") != want.FsType) problems.Add($"{want.Tid}: fstype {Str(have, "fstype") ?? "none"}, expected {want.FsType ?? "none"}");
            problems.AddRange(Judge(want, have).Wrong.Select(w => $"{want.Tid}: {w}"));
        }
        // Context threads (idle ones, a parent in wait4) are not hangs.
        foreach (var (list, have) in reported)
            if (expected.All(w => w.Tid != have.GetProperty("tid").GetInt32()) && (list == "nfs_blocked" || have.GetProperty("hung").GetBoolean()))
                problems.Add($"{have.GetProperty("tid").GetInt32()} ({Str(have, "comm")}): reported in {list}, not expected");
        if (answer.ExitCode != answer.Expect.GetProperty("exit_code").GetInt32())
            problems.Add($"exit code {answer.ExitCode}, expected {answer.Expect.GetProperty("exit_code").GetInt32()}");
        Assert.True(problems.Count == 0, $"{name}:\n  " + string.Join("\n  ", problems));
    }

    private static (int Explained, int Threads) Score()
    {
        var verdicts = Answers.Value.Values.SelectMany(a => ExpectedThreads(a.Expect).Select(want =>
            Reported(a.Scan).Where(r => r.Thread.GetProperty("tid").GetInt32() == want.Tid).Select(r => Judge(want, r.Thread)).FirstOrDefault())).ToList();
        return (verdicts.Count(v => v is { Explained: true }), verdicts.Count);
    }

    [Fact]
    public void AtLeastNinetyPercentOfTheThreadsAreExplained()
    {
        var (explained, threads) = Score();

        Assert.True(threads >= 30, $"the corpus has {threads} threads");
        Assert.True(explained >= 0.9 * threads, $"{explained} of {threads} threads explained");
    }

    [Fact]
    public void TheCorpusSpansKernelsFileSystemsAndVersions()
    {
        var expects = Answers.Value.Values.Select(a => a.Expect).ToList();
        var kernels = expects.Select(e => KernelVersion.TryParse(Str(e, "kernel")!)!).ToList();
        var threads = expects.SelectMany(ExpectedThreads).ToList();

        Assert.True(Answers.Value.Count >= 30, $"{Answers.Value.Count} cases");
        Assert.Contains(kernels, k => k.Major == 3 && k.Minor == 10);
        Assert.Contains(kernels, k => k.Major == 6 && k.Minor >= 12);
        foreach (string version in new[] { "3", "4.0", "4.1", "4.2" }) Assert.Contains(threads, t => t.NfsVersion == version);
        Assert.Contains(threads, t => t.FsType is "cifs" or "smb3");
        Assert.Contains(threads, t => t.FsType?.StartsWith("fuse", StringComparison.Ordinal) == true);
        Assert.Contains(threads, t => t.FsType == "autofs");
    }

    /// <summary>Every default signature is named on real stacks: the corpus's and the VM tier's (CapturedStackSignatureTests).</summary>
    [Fact]
    public void EveryDefaultSignatureIsNamedOnARealStack()
    {
        var named = Answers.Value.Values.SelectMany(a => ExpectedThreads(a.Expect)).Select(t => t.Signature).OfType<string>()
            .Concat(CapturedStackSignatureTests.Named).ToHashSet();

        foreach (var signature in SignatureCatalog.Defaults.Signatures) Assert.Contains(signature.Id, named);
    }

    [Fact]
    public void TheDocsShowTheCorpusTable()
    {
        var table = new StringBuilder();
        var (explained, threads) = Score();
        table.AppendLine($"{Answers.Value.Count} cases, {threads} threads: {explained} explained ({100.0 * explained / threads:F0}%), none with wrong advice.");
        table.AppendLine();
        table.AppendLine("| case | kernel | what happened | NfsWatch's answer (tid: signature, link, role, cause) |");
        table.AppendLine("|---|---|---|---|");
        foreach (var a in Answers.Value.Values.OrderBy(a => a.Case, StringComparer.Ordinal))
        {
            var answers = ExpectedThreads(a.Expect).Select(want => Reported(a.Scan).Where(r => r.Thread.GetProperty("tid").GetInt32() == want.Tid)
                .Select(r => Judge(want, r.Thread).Answer).FirstOrDefault() ?? $"{want.Tid}: not found");
            table.AppendLine($"| [{a.Case}]({Str(a.Expect, "source")}) | {Str(a.Expect, "kernel")} | {Str(a.Expect, "summary")} | {string.Join("<br>", answers)} |");
        }
        string path = Path.Combine(TestHost.RepoRoot, "docs", "corpus.md");
        string doc = File.ReadAllText(path);
        const string begin = "<!-- corpus table: written by CorpusTests -->\n", end = "<!-- end of corpus table -->";
        int from = doc.IndexOf(begin, StringComparison.Ordinal), to = doc.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{path} has no corpus table markers");
        string want = doc[..(from + begin.Length)] + table + doc[to..];
        if (Environment.GetEnvironmentVariable("NFSWATCH_UPDATE_GOLDEN") is not null) File.WriteAllText(path, want);
        Assert.Equal(want, doc);
    }
}
