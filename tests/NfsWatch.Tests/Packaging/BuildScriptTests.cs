using System.Diagnostics;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Packaging;

/// <summary>packaging/build checks every tool before it builds anything, and names the package that has it.</summary>
public class BuildScriptTests
{
    [Fact]
    public void MissingToolsAreNamedWithTheirPackagesBeforeAnythingIsBuilt()
    {
        using var dir = new TempTree();
        // A PATH with only what the script needs to read its arguments: no dotnet, dpkg-deb, rpmbuild or objcopy.
        string bin = Directory.CreateDirectory(Path.Combine(dir.Path, "bin")).FullName;
        foreach (string tool in new[] { "bash", "dirname", "sed", "grep", "gzip", "md5sum", "du", "find" })
            File.CreateSymbolicLink(Path.Combine(bin, tool), Which(tool));
        string outDir = Path.Combine(dir.Path, "out");

        var info = new ProcessStartInfo(Path.Combine(bin, "bash"), [Path.Combine(TestHost.RepoRoot, "packaging", "build"), "--arch", "amd64", "--arch", "arm64", "--out", outDir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        info.Environment["PATH"] = bin;
        using var p = Process.Start(info)!;
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();

        Assert.Equal(1, p.ExitCode);
        Assert.Contains("missing tools, nothing was built", stderr);
        foreach (string named in new[] { "dpkg-deb (install dpkg)", "rpmbuild (install rpm)", "objcopy (install binutils)", "dotnet (install the .NET 10 SDK",
                     "aarch64-linux-gnu-gcc (install gcc-aarch64-linux-gnu)", "clang (install clang)" })
            Assert.Contains(named, stderr);
        Assert.DoesNotContain("gzip (install", stderr);
        Assert.False(Directory.Exists(outDir), "nothing is made before the check");
    }

    private static string Which(string tool) =>
        new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, tool)).First(File.Exists);
}
