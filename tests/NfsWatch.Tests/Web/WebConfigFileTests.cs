using System.Text;
using NfsWatch.Outputs.Http;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Web;

/// <summary>exporter-toolkit's web config format as NfsWatch reads it: what is honoured, what is refused, and the words of each refusal.</summary>
public sealed class WebConfigFileTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private static readonly string Hash = BCrypt.Net.BCrypt.HashPassword("pw", 4);

    public void Dispose() => _certs.Dispose();

    private string Write(string yaml)
    {
        string path = _certs.File("web.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private string Refusal(string yaml)
    {
        string path = Write(yaml);
        var e = Assert.Throws<WebConfigException>(() => WebConfigFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message[(path.Length + 2)..];
    }

    private const string Tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

    [Fact]
    public void AnEmptyFileIsPlainHttpWithNothingAsked()
    {
        var c = WebConfigFile.Load(Write(""));
        Assert.Null(c.Tls);
        Assert.Empty(c.Users);
        Assert.Empty(c.Headers);
        Assert.Null(c.RateLimit);
    }

    [Fact]
    public void EverySupportedKeyIsRead()
    {
        var c = WebConfigFile.Load(Write(Tls +
            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [scraper.example]\n" +
            "  min_version: TLS12\n  max_version: TLS13\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n" +
            "  prefer_server_cipher_suites: false\n" +
            "http_server_config:\n  http2: false\n  headers:\n    Strict-Transport-Security: max-age=31536000\n    X-Content-Type-Options: nosniff\n" +
            $"basic_auth_users:\n  alice: {Hash}\n" +
            "rate_limit:\n  interval: 1m30s\n  burst: 20\n"));
        Assert.Equal(ClientAuth.RequireAndVerifyClientCert, c.Tls!.ClientAuth);
        Assert.Equal("CN=localhost", c.Tls.Certificate.Subject);
        Assert.NotNull(c.Tls.CipherSuites);
        Assert.False(c.Http2);
        Assert.Equal(["Strict-Transport-Security", "X-Content-Type-Options"], c.Headers.Select(h => h.Key));
        Assert.Equal(Hash, c.Users["alice"]);
        Assert.Equal(new RateLimit(TimeSpan.FromSeconds(90), 20), c.RateLimit);
        // Relative names are the config file's directory's; every file read is watched.
        Assert.Equal([_certs.File("web.yml"), _certs.ServerCert, _certs.ServerKey, _certs.CaCert], c.Files);
    }

    [Theory]
    [InlineData("tls_server_confg:\n  cert_file: x\n", "line 1, column 1: unknown key \"tls_server_confg\" in the top level")]
    [InlineData(Tls + "  cert_fil: x\n", "line 4, column 3: unknown key \"cert_fil\" in tls_server_config")]
    [InlineData("http_server_config:\n  http3: true\n", "line 2, column 3: unknown key \"http3\" in http_server_config")]
    [InlineData("http_server_config:\n  headers:\n    Server: nginx\n", "http_server_config: headers: Server: this header cannot be configured")]
    [InlineData("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "http_server_config: headers: X-Frame-Options: 'allow' is not one of deny, sameorigin")]
    [InlineData("basic_auth_users:\n  alice: hunter2\n", "basic_auth_users: alice: not a bcrypt hash")]
    [InlineData("tls_server_config:\n  key_file: server.key\n", "tls_server_config: cert_file: missing: TLS needs cert_file (or cert)")]
    [InlineData(Tls + "  min_version: TLS10\n", "tls_server_config: min_version: TLS10 is not supported")]
    [InlineData(Tls + "  min_version: TLS13\n  max_version: TLS12\n", "tls_server_config: min_version: TLS13 is above max_version TLS12")]
    [InlineData(Tls + "  client_ca_file: ca.crt\n", "tls_server_config: client_auth_type: client CAs are set without a client auth policy")]
    [InlineData(Tls + "  client_auth_type: RequireAndVerifyClientCert\n", "tls_server_config: client_ca_file: RequireAndVerifyClientCert needs the CA")]
    [InlineData(Tls + "  client_auth_type: Sometimes\n", "tls_server_config: client_auth_type: 'Sometimes' is not one of")]
    [InlineData(Tls + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n", "tls_server_config: cipher_suites: unknown cipher suite 'TLS_RSA_WITH_RC4_128_SHA'")]
    [InlineData(Tls + "  curve_preferences: [X25519]\n", "tls_server_config: curve_preferences: .NET cannot choose")]
    [InlineData("tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n", "tls_server_config: cert_file: holds no PEM certificate")]
    [InlineData("tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n", "tls_server_config: key_file: not the PEM private key of the certificate")]
    [InlineData("rate_limit:\n  interval: soon\n", "rate_limit: interval: 'soon' is not a duration")]
    [InlineData("rate_limit:\n  interval: 1s\n", "rate_limit: burst: must be at least 1")]
    [InlineData("basic_auth_users:\n  a: x\n  a: y\n", "line 2, column 3: Encountered duplicate key a")]
    [InlineData("http_server_config:\n  http2: maybe\n", "line 2, column 10: ")]
    public void ABadFileIsRefusedNamingTheKey(string yaml, string message) => Assert.StartsWith(message, Refusal(yaml));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1s", 1000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    public void RateLimitIntervalsAreGoDurations(string text, double ms)
    {
        Assert.True(WebConfigFile.TryParseGoDuration(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Fact]
    public void AFloodOfRequestsCostsOneBcryptPerDistinctPassword()
    {
        var auth = new BasicAuth();
        var users = new Dictionary<string, string> { ["alice"] = Hash };
        string Header(string user, string pw) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{pw}"));
        Parallel.For(0, 200, i => Assert.False(auth.Allows(Header("alice", "wrong"), users)));
        Parallel.For(0, 200, i => Assert.True(auth.Allows(Header("alice", "pw"), users)));
        Assert.False(auth.Allows(Header("mallory", "pw"), users));
        Assert.Equal(3, auth.BcryptRuns);
        Assert.False(auth.Allows("Bearer x", users));
        Assert.False(auth.Allows(null, users));
    }

    [Fact]
    public void ClientCertificatesArePassedByPolicyAndSans()
    {
        var config = WebConfigFile.Load(Write(Tls + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [scraper.example]\n"));
        using var client = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(_certs.ClientCert);
        using var stranger = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(_certs.StrangerCert);
        Assert.Equal(["scraper.example"], TlsSettings.SubjectAlternativeNames(client));
        Assert.True(config.Tls!.AcceptsClient(client, null));
        Assert.False(config.Tls.AcceptsClient(stranger, null));
        Assert.False(config.Tls.AcceptsClient(null, null));
        var other = WebConfigFile.Load(Write(Tls + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [other.example]\n"));
        Assert.False(other.Tls!.AcceptsClient(client, null));
    }
}
