using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Outputs.Metrics;
using Prometheus;

namespace NfsWatch.Hosting;

/// <summary>
/// Serves /metrics from the private registry: on the sockets systemd passed (nfswatch.socket), or else on
/// the --listen address.
/// </summary>
public sealed class MetricsEndpoint(CollectorRegistry registry, NfsWatchMetrics metrics, NfsWatchOptions options, ILogger<MetricsEndpoint> log) : IHostedService
{
    private MetricsHttpServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Socket> passed;
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
            return Task.CompletedTask;
        }
        if (passed.Count > 0 && options.Listen is { } listen && listen != ListenAddress.Default)
            log.LogWarning("The listen option ({Listen}) is not used: systemd passed the socket to serve; change ListenStream= in nfswatch.socket " +
                           "(systemctl edit nfswatch.socket) and restart both: systemctl restart nfswatch.socket nfswatch.service", listen);
        IReadOnlyList<Socket> sockets = passed.Count > 0 ? passed : [Bind(options.Listen!)];
        _server = new MetricsHttpServer(sockets, registry, problem => log.LogWarning("Metrics endpoint: {Problem}", problem), metrics.RecordDroppedConnection);
        _server.Start();
        string where = string.Join(", ", sockets.Select(s => $"http://{Describe(s.LocalEndPoint)}/metrics"));
        if (passed.Count > 0) log.LogInformation("Serving metrics on {Where}, the socket systemd passed (--listen is not used)", where);
        else log.LogInformation("Serving metrics on {Where}", where);
        return Task.CompletedTask;
    }

    /// <summary>Binds the --listen address; every address means IPv6 and IPv4 both where the host has IPv6.</summary>
    public static Socket Bind(ListenAddress listen)
    {
        try
        {
            if (listen.IsAnyAddress)
            {
                try
                {
                    return Listen(IPAddress.IPv6Any, listen.Port);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
                {
                    return Listen(IPAddress.Any, listen.Port);
                }
            }
            IPAddress address = listen.Host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(listen.Host, out var ip) ? ip
                : Dns.GetHostAddresses(listen.Host).FirstOrDefault() ?? throw new SocketException((int)SocketError.HostNotFound);
            return Listen(address, listen.Port);
        }
        catch (SocketException e)
        {
            // Under systemd (INVOCATION_ID) the shipped unit allows AF_UNIX sockets only: no socket was passed,
            // typically because nfswatch.socket changed and was not restarted.
            string hint = Environment.GetEnvironmentVariable("INVOCATION_ID") is null ? ""
                : "; under systemd, /metrics comes through nfswatch.socket: restart both with systemctl restart nfswatch.socket nfswatch.service";
            throw new UsageException($"--listen: cannot serve metrics on {listen}: {e.Message}{hint}");
        }
    }

    private static Socket Listen(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Describe(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        null => "(unknown)",
        _ => endpoint.ToString()!,
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
