using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Outputs.Metrics;

namespace NfsWatch.Hosting;

/// <summary>
/// Asks systemd for its mount units every interval, apart from the scans; says once when D-Bus stops or starts answering.
/// A host without a system bus (a container, no systemd) is asked again only every <see cref="RetryAfter"/>: each failed
/// connection costs more than a scan.
/// </summary>
public sealed class MountUnitsWatcher(SystemdMountUnits units, NfsWatchMetrics metrics, NfsWatchOptions options, ILogger<MountUnitsWatcher> log)
    : BackgroundService
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        string? lastProblem = "";
        using var timer = new PeriodicTimer(options.Interval);
        var retryAt = DateTimeOffset.MinValue;
        do
        {
            if (units.Problem is not null && DateTimeOffset.UtcNow < retryAt) continue;
            var list = await units.ListAsync(Timeout);
            if (list is null) retryAt = DateTimeOffset.UtcNow + RetryAfter;
            metrics.RecordMountUnits(list, options.Threshold.TotalSeconds);
            if (units.Problem != lastProblem)
            {
                if (units.Problem is null) log.LogInformation("systemd answers on D-Bus: mount units are watched");
                else log.LogWarning("No view of systemd's mount units ({Problem}): nfswatch_systemd_mount_units is not exported", units.Problem);
                lastProblem = units.Problem;
            }
        } while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result));
    }
}
