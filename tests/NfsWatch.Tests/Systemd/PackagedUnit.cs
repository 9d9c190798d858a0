using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Systemd;

/// <summary>What the packages install for the service, staged for a container: the Native AOT binary and systemd/.</summary>
internal static class PackagedUnit
{
    /// <summary>
    /// A directory (world-readable, as the container's systemd needs) holding <c>nfswatch</c> and
    /// <c>nfswatch.service</c>, <c>nfswatch.socket</c> and <c>nfswatch.sysusers</c>; the caller adds what else it needs.
    /// </summary>
    public static TempTree Stage()
    {
        string aot = Environment.GetEnvironmentVariable("NFSWATCH_AOT_BINARY") ?? Path.Combine(TestHost.RepoRoot, "artifacts", "aot", "nfswatch");
        Assert.True(File.Exists(aot), $"no Native AOT binary at {aot}: tests/run-all systemd publishes it");
        var pkg = new TempTree();
        File.SetUnixFileMode(pkg.Path, (UnixFileMode)0b111_101_101);
        File.Copy(aot, Path.Combine(pkg.Path, "nfswatch"));
        foreach (string file in new[] { "nfswatch.service", "nfswatch.socket", "nfswatch.sysusers" })
            File.Copy(Path.Combine(TestHost.RepoRoot, "systemd", file), Path.Combine(pkg.Path, file));
        return pkg;
    }
}
