using System.Net;

namespace NfsWatch.Configuration;

/// <summary>Where /metrics is served: "HOST:PORT", "[::1]:PORT" or ":PORT" (every address).</summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>
    /// 9856: not used by node_exporter (9100), process-exporter (9256), node-problem-detector (20257),
    /// cAdvisor (8080) or the ECS agent (51678, 51679).
    /// </summary>
    public const int DefaultPort = 9856;

    public static ListenAddress Default { get; } = new("0.0.0.0", DefaultPort);

    public bool IsAnyAddress => Host is "0.0.0.0" or "::" or "";

    public static bool TryParse(string text, out ListenAddress address)
    {
        address = Default;
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon < 0) return false;
        string host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), out int port) || port is < 1 or > 65535) return false;
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) return false; // a bare IPv6 address needs brackets
        if (host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns) return false;
        address = new ListenAddress(host.Length == 0 ? "0.0.0.0" : host, port);
        return true;
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
