using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// Reads and checks a web config file in exporter-toolkit's format. Unknown keys are errors, as exporter-toolkit's
/// yaml.UnmarshalStrict makes them; so are the keys NfsWatch cannot honour (curve_preferences, TLS 1.0 and 1.1),
/// rather than serving with less protection than the file asks for. Relative file names are taken from the config
/// file's directory, as exporter-toolkit does (TLSConfig.SetDirectory).
/// </summary>
public static partial class WebConfigFile
{
    private static readonly IDeserializer Yaml = new StaticDeserializerBuilder(new WebConfigYamlContext())
        .WithDuplicateKeyChecking()
        .Build();

    /// <summary>The headers http_server_config may add, and the values each may take (null: any), as exporter-toolkit allows.</summary>
    public static readonly IReadOnlyDictionary<string, string[]?> AllowedHeaders = new Dictionary<string, string[]?>(StringComparer.Ordinal)
    {
        ["Strict-Transport-Security"] = null,
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = null,
        ["Content-Security-Policy"] = null,
    };

    private static readonly Dictionary<Type, (string Section, string Keys)> Sections = new()
    {
        [typeof(WebConfigYaml)] = ("the top level", "tls_server_config, http_server_config, basic_auth_users, rate_limit"),
        [typeof(TlsServerYaml)] = ("tls_server_config", "cert_file, key_file, cert, key, client_auth_type, client_ca_file, client_ca, client_allowed_sans, " +
                                                        "min_version, max_version, cipher_suites, curve_preferences, prefer_server_cipher_suites"),
        [typeof(HttpServerYaml)] = ("http_server_config", "http2, headers"),
        [typeof(RateLimitYaml)] = ("rate_limit", "interval, burst"),
    };

    /// <exception cref="WebConfigException">The file cannot be read, is not valid, or names files that cannot be used.</exception>
    public static WebConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebConfigException($"{path}: cannot read it: {e.Message}");
        }
        WebConfigYaml yaml;
        try
        {
            yaml = Yaml.Deserialize<WebConfigYaml?>(text) ?? new WebConfigYaml();
        }
        catch (YamlException e)
        {
            throw new WebConfigException($"{path}: {Describe(e)}");
        }
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var files = new List<string> { path };
        string Where(string key) => $"{path}: {key}";

        TlsSettings? tls = yaml.TlsServerConfig is { } t && IsEnabled(t) ? TlsSettings.From(t, directory, Where, files) : null;

        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (user, hash) in yaml.BasicAuthUsers ?? [])
        {
            if (!IsBcrypt(hash ?? ""))
                throw new WebConfigException($"{Where($"basic_auth_users: {user}")}: not a bcrypt hash (such as htpasswd -nBC 10 \"\" | tr -d ':\\n' prints)");
            users[user] = hash!;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in yaml.HttpServerConfig?.Headers ?? [])
        {
            if (!AllowedHeaders.TryGetValue(name, out var allowed))
                throw new WebConfigException($"{Where($"http_server_config: headers: {name}")}: this header cannot be configured (allowed: {string.Join(", ", AllowedHeaders.Keys)})");
            if (allowed is not null && !allowed.Contains(value))
                throw new WebConfigException($"{Where($"http_server_config: headers: {name}")}: '{value}' is not one of {string.Join(", ", allowed)}");
            // An empty value leaves the header unset, as in exporter-toolkit's documentation.
            if (!string.IsNullOrEmpty(value)) headers.Add(new(name, value));
        }

        RateLimit? rateLimit = null;
        if (yaml.RateLimit is { } r)
        {
            if (!TryParseGoDuration(r.Interval ?? "0", out var interval))
                throw new WebConfigException($"{Where("rate_limit: interval")}: '{r.Interval}' is not a duration (such as 1s, 500ms or 1m30s)");
            if (interval > TimeSpan.Zero)
            {
                if (r.Burst is not > 0) throw new WebConfigException($"{Where("rate_limit: burst")}: must be at least 1 when an interval is set");
                rateLimit = new RateLimit(interval, r.Burst.Value);
            }
        }
        return new WebConfig(tls, users, headers, Http2: tls is not null && (yaml.HttpServerConfig?.Http2 ?? true), rateLimit, files);
    }

    /// <summary>exporter-toolkit's TLSConfig.IsEnabled: any TLS key set turns TLS on.</summary>
    private static bool IsEnabled(TlsServerYaml t) =>
        !string.IsNullOrEmpty(t.CertFile) || !string.IsNullOrEmpty(t.Cert) || !string.IsNullOrEmpty(t.KeyFile) || !string.IsNullOrEmpty(t.Key) ||
        !string.IsNullOrEmpty(t.ClientCaFile) || !string.IsNullOrEmpty(t.ClientCa) || !string.IsNullOrEmpty(t.ClientAuthType);

    /// <summary>$2a$, $2b$, $2x$ or $2y$, a cost of 4 to 31, 53 characters of salt and hash (what Go's bcrypt.Cost accepts).</summary>
    public static bool IsBcrypt(string hash)
    {
        var m = BcryptHash().Match(hash);
        return m.Success && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is >= 4 and <= 31;
    }

    [GeneratedRegex(@"^\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();

    /// <summary>A Go duration (time.ParseDuration): "0", or numbers with units ns, us, µs, ms, s, m, h, such as 1m30s.</summary>
    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text == "0") return true;
        var m = GoDuration().Match(text);
        if (!m.Success) return false;
        double ticks = 0;
        foreach (Capture part in m.Groups[1].Captures)
        {
            var p = GoDurationPart().Match(part.Value);
            double n = double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += n * p.Groups[2].Value switch
            {
                "ns" => 0.01, "us" or "µs" => 10, "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond, "m" => TimeSpan.TicksPerMinute, _ => TimeSpan.TicksPerHour,
            };
        }
        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    [GeneratedRegex(@"^((?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"^(\d*\.?\d+)(ns|us|µs|ms|s|m|h)$")]
    private static partial Regex GoDurationPart();

    /// <summary>YamlDotNet's error in the file's words: where, and which key when one is unknown.</summary>
    private static string Describe(YamlException e)
    {
        string where = $"line {e.Start.Line}, column {e.Start.Column}";
        // YamlDotNet: "Property 'x' not found on type 'NfsWatch.Outputs.Http.TlsServerYaml'."
        var unknown = UnknownProperty().Match(e.Message);
        if (unknown.Success)
        {
            var section = Sections.FirstOrDefault(s => s.Key.FullName == unknown.Groups[2].Value).Value;
            return section.Section is null
                ? $"{where}: unknown key \"{unknown.Groups[1].Value}\""
                : $"{where}: unknown key \"{unknown.Groups[1].Value}\" in {section.Section} (known: {section.Keys})";
        }
        string detail = e.InnerException is { } inner ? inner.Message : e.Message;
        return $"{where}: {detail}";
    }

    [GeneratedRegex(@"Property '([^']*)' not found on type '([^']*)'")]
    private static partial Regex UnknownProperty();
}
