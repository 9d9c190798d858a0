namespace NfsWatch.Outputs.Http;

/// <summary>
/// A checked web config file: TLS (null for plain HTTP), the basic-auth users (name to bcrypt hash; empty for no
/// authentication), the extra response headers, HTTP/2 over TLS, and the request rate limit.
/// </summary>
/// <param name="Files">Every file it was read from (the config file first), for <see cref="WebConfigSource"/> to
/// notice a change.</param>
public sealed record WebConfig(TlsSettings? Tls, IReadOnlyDictionary<string, string> Users, IReadOnlyList<KeyValuePair<string, string>> Headers,
    bool Http2, RateLimit? RateLimit, IReadOnlyList<string> Files)
{
    /// <summary>No file: plain HTTP, no authentication, no extra headers.</summary>
    public static WebConfig None { get; } = new(null, new Dictionary<string, string>(), [], Http2: false, null, []);
}

/// <summary>exporter-toolkit's rate_limit: a token bucket of <paramref name="Burst"/> tokens, one more every <paramref name="Interval"/>.</summary>
public sealed record RateLimit(TimeSpan Interval, int Burst);

/// <summary>A web config file that cannot be used; the message names the file and the key.</summary>
public sealed class WebConfigException(string message) : Exception(message);
