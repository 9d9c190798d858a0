using System.Diagnostics;
using System.Text;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Web;

/// <summary>
/// The daemon with --web-config, as an operator uses it: real curl against the real process, certificates made by
/// openssl for the test. TLS with the CA given to curl; client certificates required, missing and given; basic
/// authentication wrong and right; an extra header; a certificate replaced on disk served without a restart; a
/// bad file at start (exit 2, naming the key) and at run time (the last good one stays).
/// </summary>
public sealed class WebConfigDaemonTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private const string Password = "s3cret scraper";
    private static readonly string Hash = BCrypt.Net.BCrypt.HashPassword(Password, 5);

    public void Dispose() => _certs.Dispose();

    private string WriteConfig(string yaml, string name = "web.yml")
    {
        string path = _certs.File(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The daemon on a free loopback port with the web config, once it serves.</summary>
    private sealed class WebDaemon : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        public int Port { get; } = TestHost.FreePort();
        public string Output { get { lock (_output) return _output.ToString(); } }

        public WebDaemon(string webConfig)
        {
            _process = NfsWatchProcess.Start(["run", "--interval", "1s", "--log", "console", "--listen", $"127.0.0.1:{Port}", "--web-config", webConfig]);
            _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < until && !_process.HasExited && !Output.Contains("Serving metrics on")) Thread.Sleep(50);
            Assert.True(Output.Contains("Serving metrics on"), $"the daemon did not serve: {Output}");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    /// <summary>curl's answer: the HTTP status ("000" when no answer came) and curl's exit code.</summary>
    private static (string Status, int Exit, string Stderr) Curl(params string[] args)
    {
        var run = TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", .. args]);
        return (run.Stdout.Trim(), run.ExitCode, run.Stderr);
    }

    private string Https(WebDaemon d) => $"https://localhost:{d.Port}/metrics";

    [Fact]
    public void TlsServesTheCertificateCurlTrustsWithTheCa()
    {
        using var d = new WebDaemon(WriteConfig($"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
        var trusted = Curl("--cacert", _certs.CaCert, Https(d));
        Assert.True(trusted is ("200", 0, _), trusted.Stderr);
        // Without the CA curl does not trust it; plain HTTP on the TLS port gets no answer.
        Assert.NotEqual(0, Curl(Https(d)).Exit);
        Assert.NotEqual("200", Curl($"http://localhost:{d.Port}/metrics").Status);
        Assert.Contains($"Serving metrics on https://127.0.0.1:{d.Port}/metrics (TLS with HTTP/2, client certificates: NoClientCert by {_certs.File("web.yml")})", d.Output);
    }

    [Fact]
    public void ARequiredClientCertificateMissingIsRefusedAndGivenIsAccepted()
    {
        using var d = new WebDaemon(WriteConfig(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"));
        var missing = Curl("--cacert", _certs.CaCert, Https(d));
        Assert.Equal("000", missing.Status);
        Assert.NotEqual(0, missing.Exit);
        Assert.Equal("200", Curl("--cacert", _certs.CaCert, "--cert", _certs.ClientCert, "--key", _certs.ClientKey, Https(d)).Status);
        // A certificate from another CA is refused too.
        Assert.Equal("000", Curl("--cacert", _certs.CaCert, "--cert", _certs.StrangerCert, "--key", _certs.StrangerKey, Https(d)).Status);
    }

    [Fact]
    public void AWrongPasswordGets401AndTheRightOne200()
    {
        using var d = new WebDaemon(WriteConfig($"basic_auth_users:\n  prometheus: {Hash}\n"));
        string url = $"http://127.0.0.1:{d.Port}/metrics";
        Assert.Equal("401", Curl(url).Status);
        Assert.Equal("401", Curl("-u", "prometheus:wrong", url).Status);
        Assert.Equal("401", Curl("-u", $"nobody:{Password}", url).Status);
        Assert.Equal("200", Curl("-u", $"prometheus:{Password}", url).Status);
        var head = TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl", "-sS", "-D", "-", "-o", "/dev/null", "-u", "prometheus:wrong", url).Stdout;
        Assert.Contains("WWW-Authenticate: Basic realm=\"nfswatch\"", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AHashFromExporterToolkitsOwnTestsIsAccepted()
    {
        // carol of exporter-toolkit's web/testdata/web_config_users_noTLS.good.yml ($2y$, as htpasswd -B writes).
        using var d = new WebDaemon(WriteConfig("basic_auth_users:\n  carol: $2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu\n"));
        Assert.Equal("200", Curl("-u", "carol:carol123", $"http://127.0.0.1:{d.Port}/metrics").Status);
        Assert.Equal("401", Curl("-u", "carol:carol1234", $"http://127.0.0.1:{d.Port}/metrics").Status);
    }

    [Fact]
    public void AHeaderFromHttpServerConfigAppears()
    {
        using var d = new WebDaemon(WriteConfig("http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Content-Security-Policy: \"default-src 'none'\"\n"));
        string head = TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl", "-sS", "-D", "-", "-o", "/dev/null", $"http://127.0.0.1:{d.Port}/metrics").Stdout;
        Assert.Contains("X-Frame-Options: deny", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Content-Security-Policy: default-src 'none'", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ACertificateReplacedOnDiskIsServedWithoutARestart()
    {
        using var d = new WebDaemon(WriteConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
        string Subject() => TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl", "-sS", "-v", "-o", "/dev/null", "--cacert", _certs.CaCert, Https(d)).Stderr;
        Assert.Contains("CN=localhost", Subject());
        // Rotated as certbot or an operator does: new files written beside, then renamed over the old ones.
        _certs.Issue("rotated", "rotated.localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        File.Move(_certs.File("rotated.key"), _certs.ServerKey, overwrite: true);
        File.Move(_certs.File("rotated.crt"), _certs.ServerCert, overwrite: true);
        string after = Subject();
        Assert.Contains("CN=rotated.localhost", after);
        Assert.Equal("200", Curl("--cacert", _certs.CaCert, Https(d)).Status);
    }

    [Fact]
    public void ABadFileAtStartStopsTheDaemonNamingTheFileAndKey()
    {
        string path = WriteConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth: RequireAndVerifyClientCert\n");
        var run = NfsWatchProcess.Run(["run", "--interval", "1s", "--log", "console", "--listen", $"127.0.0.1:{TestHost.FreePort()}", "--web-config", path],
            TimeSpan.FromSeconds(30));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--web-config: {path}: line 4, column 3: unknown key \"client_auth\" in tls_server_config", run.Stdout + run.Stderr);

        string missing = WriteConfig("tls_server_config:\n  cert_file: nowhere.crt\n  key_file: server.key\n", "missing.yml");
        run = NfsWatchProcess.Run(["run", "--listen", $"127.0.0.1:{TestHost.FreePort()}", "--log", "console", "--web-config", missing], TimeSpan.FromSeconds(30));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{missing}: tls_server_config: cert_file: cannot read '{_certs.File("nowhere.crt")}'", run.Stdout + run.Stderr);
    }

    [Fact]
    public void ABadFileAtRunTimeLeavesTheLastGoodOneInForceAndIsLoggedOnce()
    {
        string path = WriteConfig($"basic_auth_users:\n  prometheus: {Hash}\n");
        using var d = new WebDaemon(path);
        string url = $"http://127.0.0.1:{d.Port}/metrics";
        File.WriteAllText(path, "basic_auth_users:\n  prometheus: not-a-hash\n");
        for (int i = 0; i < 3; i++) Assert.Equal("200", Curl("-u", $"prometheus:{Password}", url).Status);
        Assert.Equal("401", Curl(url).Status);
        Assert.Contains("the last good version stays in force", OutputOnceItHas(d, "the last good version stays in force"));
        Assert.Equal(1, Count(d.Output, "basic_auth_users: prometheus: not a bcrypt hash"));
        // Fixed again: the new version is in force.
        File.WriteAllText(path, "basic_auth_users: {}\n");
        Assert.Equal("200", Curl(url).Status);
        Assert.Contains($"Web config {path} read again", OutputOnceItHas(d, $"Web config {path} read again"));
    }

    /// <summary>The daemon's output once it says <paramref name="what"/>, or after 10 s: its log is written apart from the requests.</summary>
    private static string OutputOnceItHas(WebDaemon d, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!d.Output.Contains(what, StringComparison.Ordinal) && DateTime.UtcNow < until) Thread.Sleep(50);
        return d.Output;
    }

    private static int Count(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
