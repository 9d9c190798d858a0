using System.Net;
using NfsWatch.Tests.Attack;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Systemd;

/// <summary>
/// The packaged unit (Native AOT binary, nfswatch.service and nfswatch.socket under a real systemd) under the
/// three slow-client attacks of the attack tier, through the socket systemd passes to a daemon with no network of
/// its own; then the same unit with a web config in /etc/nfswatch (TLS and basic auth, files owned by root, group
/// nfswatch, mode 0640): the service can read them and serves HTTPS.
/// </summary>
[Collection("live")]
[Trait("Tier", "systemd")]
public class UnitUnderAttackTests
{
    [Fact]
    public async Task ThePackagedUnitAnswersEveryScrapeUnderSlowClientsAndServesTlsFromEtc()
    {
        using var pkg = PackagedUnit.Stage();
        using var certs = new TestCertificates();
        foreach (string file in new[] { "server.crt", "server.key" }) File.Copy(certs.File(file), Path.Combine(pkg.Path, file));
        foreach (string file in Directory.GetFiles(pkg.Path)) File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        int port = TestHost.FreePort();

        using var c = new NspawnContainer(pkg.Path);
        Assert.Equal(0, c.Run("install", "-m", "755", "/pkg/nfswatch", "/usr/bin/nfswatch").ExitCode);
        Assert.Equal(0, c.Run("cp", "/pkg/nfswatch.service", "/pkg/nfswatch.socket", "/etc/systemd/system/").ExitCode);
        Assert.Equal(0, c.Run("cp", "/pkg/nfswatch.sysusers", "/usr/lib/sysusers.d/nfswatch.conf").ExitCode);
        Assert.Equal(0, c.Run("systemd-sysusers").ExitCode);
        c.Run("mkdir", "-p", "/etc/systemd/system/nfswatch.socket.d");
        c.Run("sh", "-c", $"printf '[Socket]\\nListenStream=\\nListenStream=127.0.0.1:{port}\\n' > /etc/systemd/system/nfswatch.socket.d/test.conf");
        c.Run("systemctl", "daemon-reload");
        var start = c.Run("systemctl", "start", "nfswatch");
        Assert.True(start.ExitCode == 0, $"systemctl start failed: {start.Stderr}\n{c.Run("journalctl", "-u", "nfswatch", "--no-pager").Stdout}");

        ProcessStats Stats()
        {
            string pid = c.Property("nfswatch", "MainPID");
            var run = c.Run("sh", "-c", $"ls /proc/{pid}/fd | wc -l; cat /proc/{pid}/status");
            string[] lines = run.Stdout.Split('\n', 2);
            return ProcessStats.Parse(int.Parse(lines[0].Trim()), lines[1]);
        }
        var target = new IPEndPoint(IPAddress.Loopback, port);
        foreach (var attack in Enum.GetValues<SlowAttack>())
        {
            var result = await SlowClients.RunAsync(attack, target, Stats, attack == SlowAttack.TricklingHeaders ? TimeSpan.FromSeconds(12) : TimeSpan.FromSeconds(24));
            string line = $"packaged unit under systemd: {result}";
            Directory.CreateDirectory(Path.Combine(TestHost.RepoRoot, "artifacts", "attack"));
            File.AppendAllText(Path.Combine(TestHost.RepoRoot, "artifacts", "attack", "results.txt"), $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {line}\n");
            Assert.Equal("active", c.Property("nfswatch", "ActiveState"));
            Assert.True(result.Failed == 0 && result.Scrapes >= (int)result.Duration.TotalSeconds, line);
            Assert.True(result.During.Descriptors >= result.Before.Descriptors + result.Connections * 3 / 4, line);
            Assert.True(result.After.Descriptors <= result.Before.Descriptors + 2 && result.After.RssKiB <= result.Before.RssKiB + 4096, line);
        }
        Assert.Equal("0", c.Property("nfswatch", "NRestarts"));

        // A web config where the documentation says to keep it, readable by the service's group only.
        string hash = BCrypt.Net.BCrypt.HashPassword("scrape", 5);
        File.WriteAllText(Path.Combine(pkg.Path, "web-config.yml"), $"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: {hash}\n");
        File.SetUnixFileMode(Path.Combine(pkg.Path, "web-config.yml"), (UnixFileMode)0b110_100_100);
        Assert.Equal(0, c.Run("install", "-d", "-m", "750", "-g", "nfswatch", "/etc/nfswatch").ExitCode);
        Assert.Equal(0, c.Run("install", "-m", "640", "-g", "nfswatch", "/pkg/web-config.yml", "/pkg/server.crt", "/pkg/server.key", "/etc/nfswatch/").ExitCode);
        c.Run("mkdir", "-p", "/etc/systemd/system/nfswatch.service.d");
        c.Run("sh", "-c", "printf '[Service]\\nEnvironment=NFSWATCH_WEB_CONFIG=/etc/nfswatch/web-config.yml\\n' > /etc/systemd/system/nfswatch.service.d/web.conf");
        c.Run("systemctl", "daemon-reload");
        var restart = c.Run("systemctl", "restart", "nfswatch");
        Assert.True(restart.ExitCode == 0, $"systemctl restart failed: {restart.Stderr}\n{c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout}");
        string Curl(params string[] args) => TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl",
            ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", certs.CaCert, .. args, $"https://localhost:{port}/metrics"]).Stdout.Trim();
        Assert.Equal("200", Curl("-u", "prometheus:scrape"));
        Assert.Equal("401", Curl("-u", "prometheus:wrong"));
        Assert.Contains("(TLS with HTTP/2, client certificates: NoClientCert; basic authentication (1 user) by /etc/nfswatch/web-config.yml), the socket systemd passed",
            c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout);
    }
}
