using NfsWatch.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NfsWatch.Configuration;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Outputs.Metrics;
using Prometheus;
using Serilog;
using NfsWatch.Outputs.Journal;

namespace NfsWatch.Hosting;

/// <summary><c>nfswatch run</c>: the daemon under Microsoft.Extensions.Hosting, systemd-aware.</summary>
public static class DaemonCommand
{
    /// <summary>The filesystem types this kernel knows (/proc/filesystems), which bound the fstype label; null if unreadable.</summary>
    private static IReadOnlySet<string>? KnownFileSystems(string procfs)
    {
        string? text = new ProcFs(procfs).TryReadText("filesystems", out _);
        if (text is null) return null;
        var names = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', ' ').Last(t => t.Length > 0)).ToHashSet();
        // mount(2) names NFS types the kernel lists only once the module is loaded.
        names.UnionWith(["nfs", "nfs4"]);
        return names;
    }

    /// <summary>
    /// How a stopped host exits: 1 when watching had to stop or a background service failed (the host logs the
    /// exception once and stops: HostOptions.BackgroundServiceExceptionBehavior), so that systemd restarts it;
    /// 0 only for a clean stop.
    /// </summary>
    public static async Task<int> RunToExitCodeAsync(IHost host)
    {
        // Taken before the run: RunAsync disposes the host, and its services with it.
        var services = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        await host.RunAsync();
        return ScanWorker.Failed || services.Any(s => s.ExecuteTask is { IsFaulted: true }) ? ExitCodes.Hung : ExitCodes.Ok;
    }

    public static async Task<int> RunAsync(NfsWatchOptions options)
    {
        var journal = new NativeJournalWriter();
        bool underSystemd = Environment.GetEnvironmentVariable("INVOCATION_ID") is not null || Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
        bool toJournal = journal.IsAvailable && (options.Log == "journal" || (options.Log == "auto" && underSystemd));
        var logging = new LoggerConfiguration().MinimumLevel.Information();
        Log.Logger = (toJournal
            ? logging.WriteTo.Sink(new JournalSink(journal))
            : logging.WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}")).CreateLogger();
        if (options.Log == "journal" && !journal.IsAvailable)
            Log.Warning("No journal socket at {Socket}: logging to the console instead", journal.SocketPath);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                // Options come from OptionsLoader; keep the host from reading appsettings or DOTNET_ variables.
                DisableDefaults = true,
                Args = [],
            });
            builder.Services.AddSerilog(Log.Logger, dispose: false);
            builder.Services.AddSystemd();
            // AddSystemd registers the notifier only when it detects a systemd service; outside one this
            // notifier does nothing (no NOTIFY_SOCKET), inside one it is the same.
            builder.Services.TryAddSingleton<ISystemdNotifier>(new SystemdNotifier());
            builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

            var registry = Prometheus.Metrics.NewCustomRegistry();
            var cycle = Watcher.Build(options, followFromNow: true, out var ecs);
            var scanner = cycle.Scanner;
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(registry);
            builder.Services.AddSingleton(cycle);
            builder.Services.AddSingleton(new TriageLog(Log.Logger));
            builder.Services.AddSingleton(new NfsWatchMetrics(registry, BuildInfo.Version, KnownFileSystems(options.Procfs)));
            builder.Services.AddHostedService<MetricsEndpoint>();
            builder.Services.AddHostedService<ScanWorker>();
            builder.Services.AddSingleton(new SystemdMountUnits());
            builder.Services.AddHostedService<MountUnitsWatcher>();
            builder.Services.AddSingleton(new HostInputs(ecs));
            if (ecs is not null) builder.Services.AddHostedService(sp => new EcsRefresher(ecs, sp.GetRequiredService<ILogger<EcsRefresher>>()));

            using var host = builder.Build();
            Log.Information("NfsWatch {Version} starting: kernel {Kernel} ({Machine}), threshold {Threshold}, interval {Interval}, procfs {Procfs}{Config}",
                BuildInfo.Version, scanner.Kernel.Release, scanner.Kernel.Machine, Duration.FormatOption(options.Threshold),
                Duration.FormatOption(options.Interval), options.Procfs, options.ConfigFile is null ? "" : $", config {options.ConfigFile}");
            if (scanner.Candidates is { } probe)
                Log.Information("Watching through bpf: {How}", probe.Description);
            else
                Log.Information("Watching through procfs (bpf: {Reason}): {Consequence}", scanner.NoProbeReason, Probe.Consequence(Probe.Bpf));
            if (cycle.KernelLogReader?.Problem is { } kmsgProblem)
                Log.Warning("Kernel log not followed: {Problem}: {Consequence}", kmsgProblem, Probe.Consequence(Probe.Kmsg));
            if (!scanner.Syscalls.IsKnownMachine)
                Log.Warning("Machine {Machine} is not one whose mount(2) and umount2(2) numbers NfsWatch knows: only the new mount API calls are watched", scanner.Kernel.Machine);
            int exit = await RunToExitCodeAsync(host);
            Log.Information("NfsWatch stopped{Failed}", exit == ExitCodes.Ok ? "" : " after a failure: exit 1, for systemd to restart it");
            return exit;
        }
        catch (UsageException e)
        {
            // A setting that cannot work (a socket that cannot be served, an address that cannot be bound):
            // exit 2, which the unit's RestartPreventExitStatus=2 does not restart in a loop.
            Log.Fatal("NfsWatch cannot run: {Reason}", e.Message);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ScanFailedException)
        {
            Log.Fatal("NfsWatch cannot run: {Reason}", e.Message);
            return ExitCodes.Hung;
        }
        // Anything else is a bug: logged once, and never exit 0, or Restart=on-failure would not restart it.
        catch (Exception e)
        {
            Log.Fatal(e, "NfsWatch failed: {Reason}", e.Message);
            return ExitCodes.Hung;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
