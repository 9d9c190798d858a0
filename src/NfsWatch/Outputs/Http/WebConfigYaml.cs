using YamlDotNet.Serialization;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// The web config file as written: prometheus/exporter-toolkit's format (docs/web-configuration.md there), the
/// same file node_exporter reads with --web.config.file. Only the shape: <see cref="WebConfigFile"/> checks it.
/// </summary>
[YamlSerializable]
public sealed class WebConfigYaml
{
    [YamlMember(Alias = "tls_server_config")] public TlsServerYaml? TlsServerConfig { get; set; }
    [YamlMember(Alias = "http_server_config")] public HttpServerYaml? HttpServerConfig { get; set; }
    [YamlMember(Alias = "basic_auth_users")] public Dictionary<string, string>? BasicAuthUsers { get; set; }
    [YamlMember(Alias = "rate_limit")] public RateLimitYaml? RateLimit { get; set; }
}

[YamlSerializable]
public sealed class TlsServerYaml
{
    [YamlMember(Alias = "cert")] public string? Cert { get; set; }
    [YamlMember(Alias = "key")] public string? Key { get; set; }
    [YamlMember(Alias = "client_ca")] public string? ClientCa { get; set; }
    [YamlMember(Alias = "cert_file")] public string? CertFile { get; set; }
    [YamlMember(Alias = "key_file")] public string? KeyFile { get; set; }
    [YamlMember(Alias = "client_auth_type")] public string? ClientAuthType { get; set; }
    [YamlMember(Alias = "client_ca_file")] public string? ClientCaFile { get; set; }
    [YamlMember(Alias = "client_allowed_sans")] public List<string>? ClientAllowedSans { get; set; }
    [YamlMember(Alias = "min_version")] public string? MinVersion { get; set; }
    [YamlMember(Alias = "max_version")] public string? MaxVersion { get; set; }
    [YamlMember(Alias = "cipher_suites")] public List<string>? CipherSuites { get; set; }
    [YamlMember(Alias = "curve_preferences")] public List<string>? CurvePreferences { get; set; }
    [YamlMember(Alias = "prefer_server_cipher_suites")] public bool? PreferServerCipherSuites { get; set; }
}

[YamlSerializable]
public sealed class HttpServerYaml
{
    [YamlMember(Alias = "http2")] public bool? Http2 { get; set; }
    [YamlMember(Alias = "headers")] public Dictionary<string, string>? Headers { get; set; }
}

[YamlSerializable]
public sealed class RateLimitYaml
{
    [YamlMember(Alias = "interval")] public string? Interval { get; set; }
    [YamlMember(Alias = "burst")] public int? Burst { get; set; }
}

/// <summary>The generated (reflection-free) YamlDotNet context for these types.</summary>
[YamlStaticContext]
[YamlSerializable(typeof(WebConfigYaml))]
[YamlSerializable(typeof(TlsServerYaml))]
[YamlSerializable(typeof(HttpServerYaml))]
[YamlSerializable(typeof(RateLimitYaml))]
public partial class WebConfigYamlContext : StaticContext;
