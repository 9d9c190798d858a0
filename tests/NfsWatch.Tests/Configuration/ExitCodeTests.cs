using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NfsWatch.Hosting;

namespace NfsWatch.Tests.Configuration;

/// <summary>
/// A daemon that stops because something failed exits 1, so that systemd's Restart=on-failure restarts it; exit 0 is
/// for a clean stop only. (An exception escaping a background service used to end the host with exit 0.)
/// </summary>
public class ExitCodeTests
{
    private sealed class Failing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stopping)
        {
            await Task.Yield();
            throw new InvalidOperationException("a background service failed");
        }
    }

    private sealed class Quiet : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stopping) => Task.Delay(Timeout.Infinite, stopping);
    }

    private static async Task<int> Run<T>(bool stopSoon) where T : class, IHostedService
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddHostedService<T>();
        using var host = builder.Build();
        if (stopSoon) _ = Task.Delay(200).ContinueWith(_ => host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication(), TaskScheduler.Default);
        return await DaemonCommand.RunToExitCodeAsync(host).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AFailedBackgroundServiceStopsTheHostWithExitOne() => Assert.Equal(1, await Run<Failing>(stopSoon: false));

    [Fact]
    public async Task ACleanStopIsExitZero() => Assert.Equal(0, await Run<Quiet>(stopSoon: true));
}
