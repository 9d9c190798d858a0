using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// Kestrel serving the registry (<see cref="MetricsPage"/>) on the given endpoints: sockets systemd passed
/// (FileHandleEndPoint, sd_listen_fds(3)) or an address to bind. Kestrel reads with asynchronous I/O, so a
/// client that connects and says nothing costs a descriptor and a few hundred bytes, never a thread: slow
/// clients cannot lock scrapers out. Their time is bounded by the limits below.
/// </summary>
public sealed class MetricsWebServer : IAsyncDisposable
{
    /// <summary>Connections open at once; beyond this Kestrel closes new ones at once (each is one descriptor).</summary>
    public const int MaxConnections = 512;
    /// <summary>The request line and headers together; a scraper sends a few hundred bytes.</summary>
    public const int MaxHeaderBytes = 16 * 1024;
    /// <summary>Time to send the whole request head once its first byte came (a header that never ends).</summary>
    public static readonly TimeSpan DefaultHeadersTimeout = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Time a connection may stay idle between requests, and before its first one (a client that connects and
    /// says nothing). Prometheus keeps its connection between scrapes; a longer scrape interval reconnects.
    /// </summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(20);
    /// <summary>Slowest accepted transfer once the grace period has passed (a client that reads its answer a byte at a time).</summary>
    public static readonly MinDataRate MinRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    private readonly WebApplication _app;
    private readonly List<ListenOptions> _listens;

    private MetricsWebServer(WebApplication app, List<ListenOptions> listens)
    {
        _app = app;
        _listens = listens;
    }

    /// <summary>Where it listens, once started: the bound address (a port 0 resolved), or the passed descriptor.</summary>
    public IReadOnlyList<EndPoint> EndPoints => [.. _listens.Select(l => l.EndPoint)];

    /// <param name="web">The --web-config file (TLS, basic auth, headers, rate limit), or null for plain HTTP.</param>
    /// <param name="logs">Where Kestrel's warnings and errors go; null for nowhere.</param>
    /// <param name="onProblem">Told when collecting for a scrape fails.</param>
    /// <param name="headersTimeout">For testing: <see cref="DefaultHeadersTimeout"/> unless given.</param>
    /// <param name="idleTimeout">For testing: <see cref="DefaultIdleTimeout"/> unless given.</param>
    public static async Task<MetricsWebServer> StartAsync(IReadOnlyList<EndPoint> endpoints, CollectorRegistry registry, WebConfigSource? web = null,
        ILoggerProvider? logs = null, Action<string>? onProblem = null, CancellationToken cancel = default,
        TimeSpan? headersTimeout = null, TimeSpan? idleTimeout = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "nfswatch" });
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Kestrel says at Warning each connection refused over the limit: under a flood, that would flood the journal.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // The daemon's own host handles SIGTERM and stops this server; this one must not listen for signals itself.
        builder.Services.AddSingleton<IHostLifetime, NoSignals>();
        var listens = new List<ListenOptions>();
        // Whether TLS and HTTP/2 are on is settled at start, as in exporter-toolkit; the rest is read per connection.
        var first = web?.Current ?? WebConfig.None;
        var bursts = new ConnectionBursts();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var limits = k.Limits;
            limits.MaxConcurrentConnections = MaxConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestBodySize = 0;
            limits.MaxRequestHeadersTotalSize = MaxHeaderBytes;
            limits.MaxRequestLineSize = 8 * 1024;
            limits.MaxRequestHeaderCount = 64;
            limits.RequestHeadersTimeout = headersTimeout ?? DefaultHeadersTimeout;
            limits.KeepAliveTimeout = idleTimeout ?? DefaultIdleTimeout;
            limits.MinRequestBodyDataRate = MinRate;
            limits.MinResponseDataRate = MinRate;
            foreach (var endpoint in endpoints)
                k.Listen(endpoint, listen =>
                {
                    listen.Protocols = first.Tls is not null && first.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    listen.Use(next => async connection =>
                    {
                        bursts.Opened();
                        try { await next(connection); }
                        finally { bursts.Closed(); }
                    });
                    if (first.Tls is not null)
                        listen.UseHttps(new TlsHandshakeCallbackOptions
                        {
                            HandshakeTimeout = headersTimeout ?? DefaultHeadersTimeout,
                            // exporter-toolkit's GetConfigForClient: the certificate and policy in force now.
                            OnConnection = _ =>
                            {
                                var config = web!.Current;
                                return ValueTask.FromResult(config.Tls!.ServerOptions(first.Http2));
                            },
                        });
                    listens.Add(listen);
                });
        });
        var app = builder.Build();
        var gate = new RequestGate(web);
        app.Run(async context =>
        {
            if (await gate.RefusesAsync(context)) return;
            await MetricsPage.AnswerAsync(context, registry, onProblem);
        });
        try
        {
            await app.StartAsync(cancel);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new MetricsWebServer(app, listens);
    }

    public async ValueTask DisposeAsync()
    {
        // Scrapes being answered get two seconds to finish; the daemon's stop timeout is longer.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(stop.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    private sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
