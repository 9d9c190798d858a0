using System.Diagnostics;
using NfsWatch.Tests.Support;
using NfsWatch.Tests.Systemd;

namespace NfsWatch.Tests.Packaging;

/// <summary>
/// The .deb under a real systemd (a container booted with systemd-nspawn, with a network of its own so that
/// port 9856 is its own): the service runs after install, survives an upgrade to a newer build with the
/// operator's edit of the config kept, and is gone after purge.
/// </summary>
[Collection("live")]
[Trait("Tier", "packages")]
public class PackageInstallTests
{
    [Fact]
    public void InstallUpgradePurge()
    {
        string packages = Environment.GetEnvironmentVariable("NFSWATCH_PACKAGES") ?? Path.Combine(TestHost.RepoRoot, "artifacts", "packages");
        string old = Directory.GetFiles(packages, "nfswatch_*_amd64.deb").Single();
        string oldVersion = Path.GetFileName(old).Split('_')[1];
        using var pkg = new TempTree();
        File.SetUnixFileMode(pkg.Path, (UnixFileMode)0b111_101_101);
        File.Copy(old, Path.Combine(pkg.Path, "old.deb"));
        // A newer build of the same checkout, as the next release would be: a new binary that says its version.
        var build = TestHost.Run(Path.Combine(TestHost.RepoRoot, "packaging", "build"), "--arch", "amd64", "--version", "99.0.1", "--out", pkg.Path);
        Assert.True(build.ExitCode == 0, $"packaging/build failed:\n{build.Stdout}{build.Stderr}");
        // ...whose socket unit changed too (it now listens on 9858): the upgrade must re-bind it, or the
        // restarted service would come up without a socket.
        string unpacked = Path.Combine(pkg.Path, "unpacked");
        Assert.Equal(0, TestHost.Run("dpkg-deb", "-R", Path.Combine(pkg.Path, "nfswatch_99.0.1_amd64.deb"), unpacked).ExitCode);
        string socketUnit = Path.Combine(unpacked, "usr", "lib", "systemd", "system", "nfswatch.socket");
        File.WriteAllText(socketUnit, File.ReadAllText(socketUnit).Replace("ListenStream=9856", "ListenStream=9858"));
        Assert.Equal(0, TestHost.Run("sh", "-c", $"cd {unpacked} && find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums").ExitCode);
        Assert.Equal(0, TestHost.Run("dpkg-deb", "--root-owner-group", "--build", unpacked, Path.Combine(pkg.Path, "new.deb")).ExitCode);

        using var c = new NspawnContainer(pkg.Path, privateNetwork: true);

        // Install: the user exists, both units are enabled and running, /metrics answers on 9856.
        var install = c.Run("dpkg", "-i", "/pkg/old.deb");
        Assert.True(install.ExitCode == 0, $"dpkg -i: {install.Stdout}{install.Stderr}");
        Assert.Equal(0, c.Run("id", "nfswatch").ExitCode);
        Assert.Equal(("active", "active"), (c.Property("nfswatch.service", "ActiveState"), c.Property("nfswatch.socket", "ActiveState")));
        Assert.Equal(("enabled", "enabled"), (c.Property("nfswatch.service", "UnitFileState"), c.Property("nfswatch.socket", "UnitFileState")));
        Assert.Contains($"nfswatch_build_info{{version=\"{oldVersion}\"}} 1", Scrape(c, 9856));
        Assert.Equal("nfswatch", c.Run("ps", "-o", "user=", "-p", c.Property("nfswatch.service", "MainPID")).Stdout.Trim());

        // The operator edits the config.
        Assert.Equal(0, c.Run("sed", "-i", "s|// \"threshold\": \"30s\",|\"threshold\": \"7s\",|", "/etc/nfswatch/nfswatch.json").ExitCode);
        Assert.Equal(0, c.Run("systemctl", "restart", "nfswatch.service").ExitCode);
        Assert.Contains("threshold 7s", c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout);
        string pidBefore = c.Property("nfswatch.service", "MainPID");

        // Upgrade: the new binary runs, restarted by the package, and the edit is kept (no conffile prompt:
        // dpkg runs with no terminal here and would fail on one).
        var upgrade = c.Run("dpkg", "-i", "/pkg/new.deb");
        Assert.True(upgrade.ExitCode == 0, $"dpkg -i (upgrade): {upgrade.Stdout}{upgrade.Stderr}");
        Assert.Equal("active", c.Property("nfswatch.service", "ActiveState"));
        Assert.NotEqual(pidBefore, c.Property("nfswatch.service", "MainPID"));
        Assert.Equal("0", c.Property("nfswatch.service", "NRestarts"));
        Assert.Contains("nfswatch_build_info{version=\"99.0.1\"} 1", Scrape(c, 9858));
        Assert.Equal("", Scrape(c, 9856));
        Assert.Contains("\"threshold\": \"7s\",", c.Run("cat", "/etc/nfswatch/nfswatch.json").Stdout);
        var starts = c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager", "-g", "NfsWatch .* starting").Stdout;
        Assert.Contains("NfsWatch 99.0.1 starting", starts);
        Assert.Matches("NfsWatch 99.0.1 starting: .*threshold 7s", starts);

        // A bad value in the config: the service fails once, with the reason, and is not restarted in a loop.
        c.Run("sed", "-i", "s|\"threshold\": \"7s\",|\"threshold\": \"3x\",|", "/etc/nfswatch/nfswatch.json");
        Assert.NotEqual(0, c.Run("systemctl", "restart", "nfswatch.service").ExitCode);
        Thread.Sleep(TimeSpan.FromSeconds(7)); // past RestartSec=5s: a restart would have happened by now
        Assert.Equal(("failed", "0"), (c.Property("nfswatch.service", "ActiveState"), c.Property("nfswatch.service", "NRestarts")));
        Assert.Contains("threshold: '3x' is not a duration", c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout);
        c.Run("sed", "-i", "s|\"threshold\": \"3x\",|\"threshold\": \"7s\",|", "/etc/nfswatch/nfswatch.json");

        // Remove, then install again: running again (removal masks the units, installation unmasks them).
        Assert.Equal(0, c.Run("dpkg", "-r", "nfswatch").ExitCode);
        Assert.Equal("", Scrape(c, 9858));
        Assert.Equal(1, c.Run("test", "-e", "/usr/bin/nfswatch").ExitCode);
        Assert.Contains("\"threshold\": \"7s\",", c.Run("cat", "/etc/nfswatch/nfswatch.json").Stdout); // a conffile stays until purge
        var reinstall = c.Run("dpkg", "-i", "/pkg/new.deb");
        Assert.True(reinstall.ExitCode == 0, $"dpkg -i (again): {reinstall.Stdout}{reinstall.Stderr}");
        Assert.Equal(("active", "active"), (c.Property("nfswatch.service", "ActiveState"), c.Property("nfswatch.socket", "ActiveState")));
        Assert.Contains("nfswatch_build_info{version=\"99.0.1\"} 1", Scrape(c, 9858));

        // Purge: nothing of it is left running or installed.
        var purge = c.Run("dpkg", "--purge", "nfswatch");
        Assert.True(purge.ExitCode == 0, $"dpkg --purge: {purge.Stdout}{purge.Stderr}");
        Assert.Equal(("not-found", "not-found"), (c.Property("nfswatch.service", "LoadState"), c.Property("nfswatch.socket", "LoadState")));
        Assert.Equal(1, c.Run("test", "-e", "/etc/nfswatch").ExitCode);
        Assert.Equal(1, c.Run("test", "-e", "/usr/bin/nfswatch").ExitCode);
        Assert.Equal(1, c.Run("pgrep", "-u", "nfswatch").ExitCode);
        Assert.Equal("", Scrape(c, 9858));
    }

    /// <summary>GET /metrics on the container's own port, through bash's /dev/tcp inside it; "" when nothing listens.</summary>
    private static string Scrape(NspawnContainer c, int port) =>
        c.Run("timeout", "5", "bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3").Stdout;

}
