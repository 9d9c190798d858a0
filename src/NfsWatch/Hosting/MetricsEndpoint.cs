using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Outputs.Http;
using Prometheus;

namespace NfsWatch.Hosting;

/// <summary>
/// Serves /metrics from the private registry with Kestrel: on the sockets systemd passed (nfswatch.socket), or
/// else on the --listen address.
/// </summary>
public sealed class MetricsEndpoint(CollectorRegistry registry, NfsWatchOptions options, ILogger<MetricsEndpoint> log) : IHostedService
{
    private MetricsWebServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SystemdSockets.Passed> passed;
        try
        {
            passed = SystemdSockets.Take();
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }
        if (passed.Count == 0 && options.Listen is null)
        {
            log.LogInformation("Not serving /metrics (--listen off){Textfile}", options.Textfile is null ? ": metrics go nowhere but the journal" : $"; writing them to {options.Textfile}");
            return;
        }
        if (passed.Count > 0 && options.Listen is { } listen && listen != ListenAddress.Default)
            log.LogWarning("The listen option ({Listen}) is not used: systemd passed the socket to serve; change ListenStream= in nfswatch.socket " +
                           "(systemctl edit nfswatch.socket) and restart both: systemctl restart nfswatch.socket nfswatch.service", listen);
        WebConfigSource? web = null;
        if (options.WebConfig is { } file)
        {
            try
            {
                web = WebConfigSource.Load(file, problem => log.LogWarning("Web config: {Problem}", problem),
                    path => log.LogInformation("Web config {File} read again: the new version is in force", path));
            }
            catch (WebConfigException e)
            {
                throw new UsageException($"--web-config: {e.Message}");
            }
        }
        var logs = new Serilog.Extensions.Logging.SerilogLoggerProvider(Serilog.Log.Logger);
        void Problem(string problem) => log.LogWarning("Metrics endpoint: {Problem}", problem);
        string where;
        if (passed.Count > 0)
        {
            _server = await MetricsWebServer.StartAsync([.. passed.Select(p => new FileHandleEndPoint((ulong)p.Descriptor, FileHandleType.Auto))],
                registry, web, logs, Problem, cancellationToken);
            where = string.Join(", ", passed.Select(p => Url(p.LocalEndPoint, web)));
            log.LogInformation("Serving metrics on {Where}{Protection}, the socket systemd passed (--listen is not used)", where, Protection(web));
            return;
        }
        _server = await Bind(options.Listen!, registry, web, logs, Problem, cancellationToken);
        where = string.Join(", ", _server.EndPoints.Select(e => Url(e, web)));
        log.LogInformation("Serving metrics on {Where}{Protection}", where, Protection(web));
    }

    /// <summary>What the web config turns on, for the start-up line.</summary>
    private static string Protection(WebConfigSource? web)
    {
        if (web is null) return "";
        var c = web.Current;
        var parts = new List<string>();
        if (c.Tls is { } tls) parts.Add($"TLS{(c.Http2 ? " with HTTP/2" : "")}, client certificates: {tls.ClientAuth}");
        if (c.Users.Count > 0) parts.Add($"basic authentication ({c.Users.Count} user{(c.Users.Count == 1 ? "" : "s")})");
        if (c.Headers.Count > 0) parts.Add($"headers {string.Join(", ", c.Headers.Select(h => h.Key))}");
        if (c.RateLimit is { } r) parts.Add($"at most {r.Burst} requests at once, one more every {r.Interval.TotalSeconds:0.###}s");
        return $" ({(parts.Count == 0 ? "nothing turned on" : string.Join("; ", parts))} by {web.Path})";
    }

    /// <summary>Serves the --listen address; every address means IPv6 and IPv4 both where the host has IPv6.</summary>
    public static async Task<MetricsWebServer> Bind(ListenAddress listen, CollectorRegistry registry, WebConfigSource? web = null, ILoggerProvider? logs = null,
        Action<string>? onProblem = null, CancellationToken cancel = default)
    {
        try
        {
            if (listen.IsAnyAddress)
            {
                try
                {
                    return await MetricsWebServer.StartAsync([new IPEndPoint(IPAddress.IPv6Any, listen.Port)], registry, web, logs, onProblem, cancel);
                }
                catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable })
                {
                    return await MetricsWebServer.StartAsync([new IPEndPoint(IPAddress.Any, listen.Port)], registry, web, logs, onProblem, cancel);
                }
            }
            IPAddress address = listen.Host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(listen.Host, out var ip) ? ip
                : Dns.GetHostAddresses(listen.Host).FirstOrDefault() ?? throw new SocketException((int)SocketError.HostNotFound);
            return await MetricsWebServer.StartAsync([new IPEndPoint(address, listen.Port)], registry, web, logs, onProblem, cancel);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // Under systemd (INVOCATION_ID) the shipped unit allows AF_UNIX sockets only: no socket was passed,
            // typically because nfswatch.socket changed and was not restarted.
            string hint = Environment.GetEnvironmentVariable("INVOCATION_ID") is null ? ""
                : "; under systemd, /metrics comes through nfswatch.socket: restart both with systemctl restart nfswatch.socket nfswatch.service";
            string reason = e.InnerException is SocketException inner ? inner.Message : e.Message;
            throw new UsageException($"--listen: cannot serve metrics on {listen}: {reason}{hint}");
        }
    }

    private static string Url(EndPoint? endpoint, WebConfigSource? web)
    {
        string scheme = web?.Current.Tls is null ? "http" : "https";
        return endpoint switch
        {
            IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{scheme}://{ip.Address.MapToIPv4()}:{ip.Port}/metrics",
            IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"{scheme}://[{ip.Address}]:{ip.Port}/metrics",
            UnixDomainSocketEndPoint unix => $"{scheme}://localhost/metrics through the local socket {unix}",
            null => "(unknown)",
            _ => $"{scheme}://{endpoint}/metrics",
        };
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
