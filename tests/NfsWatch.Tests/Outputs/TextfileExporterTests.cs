using NfsWatch.Configuration;
using NfsWatch.Outputs.Metrics;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Outputs;

/// <summary>
/// Textfile mode writes as root into a directory others may write (node_exporter's, or a sticky /tmp): nothing
/// planted there may make it overwrite or chmod another file.
/// </summary>
public class TextfileExporterTests
{
    private static TextfileExporter Exporter(string path)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("nfswatch_test", "t").Set(1);
        return new TextfileExporter(registry, path);
    }

    [Fact]
    public void LinksPlantedAtTheOldTemporaryNameOrTheTargetDoNotReachAnotherFile()
    {
        using var dir = new TempTree();
        string victim = Path.Combine(dir.Path, "victim");
        File.WriteAllText(victim, "precious");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string target = Path.Combine(dir.Path, "nfswatch.prom");
        // Earlier versions wrote to .NAME.<pid>.tmp, opened create-or-truncate, then chmod'ed that path.
        File.CreateSymbolicLink(Path.Combine(dir.Path, $".nfswatch.prom.{Environment.ProcessId}.tmp"), victim);
        File.CreateSymbolicLink(target, victim);

        Assert.Null(Exporter(target).TryWrite());

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(victim));
        // The link at the target was replaced by the file itself, readable by node_exporter.
        Assert.Null(new FileInfo(target).LinkTarget);
        Assert.Contains("nfswatch_test 1", File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(target));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal) && new FileInfo(f).LinkTarget is null);
    }

    [Fact]
    public void ADirectoryAnyoneCanWriteWithoutTheStickyBitIsRefused()
    {
        using var dir = new TempTree();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_111_111); // 0777

        var e = Assert.Throws<UsageException>(() => OptionsLoader.Load("run", ["--textfile", Path.Combine(dir.Path, "n.prom")], _ => null, "/nonexistent"));
        Assert.Contains("is writable by everyone and not sticky", e.Message);

        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b1_111_111_111); // 1777, as /tmp
        Assert.Equal(Path.Combine(dir.Path, "n.prom"), OptionsLoader.Load("run", ["--textfile", Path.Combine(dir.Path, "n.prom")], _ => null, "/nonexistent").Textfile);
    }
}
