using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using Prometheus;

namespace NfsWatch.Hosting;

/// <summary>Serves /metrics from the private registry on the --listen address.</summary>
public sealed class MetricsEndpoint(CollectorRegistry registry, NfsWatchOptions options, ILogger<MetricsEndpoint> log) : IHostedService
{
    private MetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listen = options.Listen;
        _server = new MetricServer(listen.PrefixHost, listen.Port, "metrics/", registry);
        try
        {
            _server.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"cannot serve metrics on {listen}: {e.Message}", e);
        }
        log.LogInformation("Serving metrics on http://{Listen}/metrics", listen);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }
}
