using System.Diagnostics;
using System.Text.RegularExpressions;
using NfsWatch.Configuration;
using NfsWatch.Tests.Support;
using NfsWatch.Tests.Systemd;

namespace NfsWatch.Tests.Packaging;

/// <summary>
/// The packages as an operator gets them (packaging/build, run by tests/run-all before this tier, into
/// NFSWATCH_PACKAGES): their contents, lintian and rpmlint, the man page, the linux-arm64 binary running
/// under qemu-user, and the .deb installed, upgraded and purged under a real systemd in a container.
/// </summary>
[Trait("Tier", "packages")]
public partial class PackageTests
{
    private static string Packages => Environment.GetEnvironmentVariable("NFSWATCH_PACKAGES")
        ?? Path.Combine(TestHost.RepoRoot, "artifacts", "packages");

    private static readonly string Version = Regex.Match(File.ReadAllText(Path.Combine(TestHost.RepoRoot, "Directory.Build.props")), "<Version>(.*)</Version>").Groups[1].Value;

    private static string Package(string name)
    {
        string path = Path.Combine(Packages, name);
        Assert.True(File.Exists(path), $"{path} is missing: tests/run-all packages builds it with packaging/build");
        return path;
    }


    public static TheoryData<string> Debs => new() { $"nfswatch_{Version}_amd64.deb", $"nfswatch_{Version}_arm64.deb" };
    public static TheoryData<string> Rpms => new() { $"nfswatch-{Version}-1.x86_64.rpm", $"nfswatch-{Version}-1.aarch64.rpm" };

    private static readonly string[] Installed =
    [
        "/usr/bin/nfswatch", "/usr/lib/systemd/system/nfswatch.service", "/usr/lib/systemd/system/nfswatch.socket",
        "/usr/lib/sysusers.d/nfswatch.conf", "/etc/nfswatch/nfswatch.json", "/usr/share/nfswatch/signatures.json",
        "/usr/share/man/man1/nfswatch.1.gz", "/usr/share/nfswatch/prometheus/nfswatch-alerts.yml",
        "/usr/share/nfswatch/prometheus/nfswatch-recording.yml", "/usr/share/nfswatch/prometheus/scrape-config.example.yml",
        "/usr/share/nfswatch/grafana/nfswatch-dashboard.json", "/usr/share/nfswatch/systemd/ecs-introspection.conf",
        "/usr/share/nfswatch/systemd/textfile/nfswatch.service.conf", "/usr/share/nfswatch/systemd/textfile/nfswatch.socket.conf",
        "/usr/share/doc/nfswatch/docs/runbook.md.gz", "/usr/share/doc/nfswatch/docs/scan.schema.json.gz", "/usr/share/doc/nfswatch/docs/metrics.md.gz",
    ];

    [Theory]
    [MemberData(nameof(Debs))]
    public void TheDebHoldsEverythingAndLintianIsClean(string deb)
    {
        string path = Package(deb);
        string files = TestHost.Run("dpkg-deb", "--contents", path).Stdout;
        foreach (string f in Installed) Assert.Contains($" .{f}\n", files);
        var fields = TestHost.Run("dpkg-deb", "--field", path, "Depends", "Recommends", "Architecture", "Version").Stdout;
        Assert.Contains("Depends: libc6 (>= 2.34), systemd", fields);
        // The BPF probe opens libbpf at run time; without it the daemon watches through procfs.
        Assert.Matches(@"(?m)^Recommends: .*\blibbpf1\b", fields);
        Assert.Contains($"Version: {Version}", fields);
        Assert.Equal("/etc/nfswatch/nfswatch.json", TestHost.Run("sh", "-c", $"dpkg-deb --ctrl-tarfile {path} | tar -xO ./conffiles").Stdout.Trim());

        var lintian = TestHost.Run("lintian", "--pedantic", "--display-experimental", "--display-info", "--fail-on", "error,warning,info,pedantic", path);
        Assert.True(lintian.ExitCode == 0, $"lintian:\n{lintian.Stdout}{lintian.Stderr}");
        Assert.DoesNotMatch(@"(?m)^[EWIPX]: ", lintian.Stdout);
    }

    [Theory]
    [MemberData(nameof(Rpms))]
    public void TheRpmHoldsEverythingAndRpmlintIsClean(string rpm)
    {
        string path = Package(rpm);
        string files = TestHost.Run("rpm", "-qlp", path).Stdout;
        foreach (string f in Installed) Assert.Contains(f + "\n", files);
        Assert.Contains("/etc/nfswatch/nfswatch.json", TestHost.Run("rpm", "-qcp", path).Stdout); // %config(noreplace)
        Assert.Contains("systemd >= 247", TestHost.Run("rpm", "-qRp", path).Stdout);
        Assert.Contains("libbpf.so.1()(64bit)", TestHost.Run("rpm", "-qp", "--recommends", path).Stdout);
        Assert.Contains("systemd-sysusers nfswatch.conf", TestHost.Run("rpm", "-qp", "--scripts", path).Stdout);

        var rpmlint = TestHost.Run("rpmlint", "-c", Path.Combine(TestHost.RepoRoot, "packaging", "rpm", "rpmlint.toml"), path);
        Assert.True(rpmlint.ExitCode == 0, $"rpmlint:\n{rpmlint.Stdout}{rpmlint.Stderr}");
        Assert.Contains("0 errors, 0 warnings", rpmlint.Stdout);
    }

    [Fact]
    public void TheArm64BinaryRunsAndScans()
    {
        using var tree = new TempTree();
        Assert.Equal(0, TestHost.Run("sh", "-c", $"dpkg-deb --fsys-tarfile {Package($"nfswatch_{Version}_arm64.deb")} | tar -x -C {tree.Path} ./usr/bin/nfswatch").ExitCode);
        string binary = Path.Combine(tree.Path, "usr", "bin", "nfswatch");
        // An aarch64 ELF executable (e_machine 183), Native AOT: no .NET runtime beside it.
        byte[] header = File.ReadAllBytes(binary)[..20];
        Assert.Equal((byte)'E', header[1]);
        Assert.Equal(183, BitConverter.ToUInt16(header, 18));
        // Under qemu-user with Debian's arm64 libc: it starts, lists /proc (O_DIRECTORY differs on arm64) and
        // scans the host's threads.
        var version = TestHost.Run("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", binary, "--version");
        Assert.Equal($"nfswatch {Version}", version.Stdout.Trim());
        var scan = TestHost.Run("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", binary, "scan", "--json");
        Assert.True(scan.ExitCode is 0 or 1, scan.Stderr);
        ScanSchema.AssertValid(scan.Stdout, "scan --json of the arm64 binary");
        using var doc = System.Text.Json.JsonDocument.Parse(scan.Stdout);
        Assert.True(doc.RootElement.GetProperty("scanned_threads").GetInt32() > 1);
    }

    [Fact]
    public void TheManPageRendersCleanlyAndCoversEveryOption()
    {
        string page = Path.Combine(TestHost.RepoRoot, "packaging", "nfswatch.1");
        var groff = TestHost.Run("groff", "-man", "-ww", "-z", page);
        Assert.True(groff.ExitCode == 0 && groff.Stderr.Length == 0, $"groff warns:\n{groff.Stderr}");
        string roff = File.ReadAllText(page);
        foreach (var spec in OptionSpec.All)
            Assert.Contains(@"\-\-" + spec.Name.Replace("-", @"\-"), roff);
        Assert.Contains($"\"nfswatch {Version}\"", roff);
        // The shipped default config is every option, commented out, and loads as the defaults.
        string config = Path.Combine(TestHost.RepoRoot, "packaging", "nfswatch.json");
        foreach (var spec in OptionSpec.All.Where(o => o.Name is not ("config" or "json")))
            Assert.Contains($"// \"{spec.Name}\":", File.ReadAllText(config));
        var loaded = OptionsLoader.Load("run", ["--config", config], _ => null);
        Assert.Equal(new NfsWatchOptions { ConfigFile = config }, loaded);
    }
}
