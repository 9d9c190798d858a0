using System.Diagnostics;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Packaging;

/// <summary>
/// The tiers that fetch Debian packages (vm, systemd, packages) take the mirror from the host's apt configuration
/// (tests/debian-mirror), one-line or deb822; with none they stop and say so, never picking a host themselves.
/// </summary>
public class DebianMirrorTests
{
    private static (int Exit, string Out, string Err) Mirror(string aptDir)
    {
        var info = new ProcessStartInfo(Path.Combine(TestHost.RepoRoot, "tests", "debian-mirror"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.Environment["NFSWATCH_APT_ETC"] = aptDir;
        using var p = Process.Start(info)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Trim(), stderr);
    }

    [Fact]
    public void TheMirrorOfADebianReleaseItselfIsTakenFromOneLineOrDeb822Sources()
    {
        using var dir = new TempTree();
        Directory.CreateDirectory(Path.Combine(dir.Path, "sources.list.d"));
        File.WriteAllText(Path.Combine(dir.Path, "sources.list"),
            "deb http://security.example/debian-security bookworm-security main\n" +
            "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib\n");
        Assert.Equal((0, "http://mirror.example/debian"), (Mirror(dir.Path).Exit, Mirror(dir.Path).Out));

        File.Delete(Path.Combine(dir.Path, "sources.list"));
        File.WriteAllText(Path.Combine(dir.Path, "sources.list.d", "debian.sources"),
            "Types: deb\nURIs: http://other.example/debian-security\nSuites: trixie-security\nComponents: main\n\n" +
            "Types: deb\nURIs: http://other.example/debian\nSuites: trixie trixie-updates\nComponents: main\n");
        // A trixie host: its mirror serves bookworm too, which the tiers' images are made of.
        Assert.Equal((0, "http://other.example/debian"), (Mirror(dir.Path).Exit, Mirror(dir.Path).Out));

        // An Ubuntu host has no Debian release: it must be told which mirror to use.
        File.WriteAllText(Path.Combine(dir.Path, "sources.list.d", "debian.sources"),
            "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu\nSuites: noble noble-updates\nComponents: main\n");
        Assert.Equal(1, Mirror(dir.Path).Exit);
    }

    [Fact]
    public void WithNoSourceConfiguredItStopsWithAMessageInsteadOfChoosingAHost()
    {
        using var dir = new TempTree();
        var (exit, stdout, stderr) = Mirror(dir.Path);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("apt on this host has no source of a Debian release", stderr);
        Assert.Contains("NFSWATCH_VM_MIRROR", stderr);
    }
}
