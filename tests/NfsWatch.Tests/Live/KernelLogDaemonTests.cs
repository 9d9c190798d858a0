using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>The daemon counts kernel log lines logged after its start, not those already in the buffer.</summary>
[Collection("live")]
[Trait("Tier", "live")]
public class KernelLogDaemonTests
{
    [Fact]
    public async Task LinesAppendedAfterStartAreCountedPerEventAndServer()
    {
        using var dir = new TempTree();
        string kmsg = Path.Combine(dir.Path, "kmsg");
        File.WriteAllText(kmsg, "4,1,1000000,-;nfs: server old.example not responding, still trying\n");
        using var daemon = new Daemon("1s", "200ms", "--kmsg", kmsg);
        await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), TimeSpan.FromSeconds(20), "the first scan");

        File.AppendAllText(kmsg,
            "4,2,2000000,-;nfs: server 10.0.1.9 not responding, still trying\n" +
            "4,3,2100000,-;nfs: server 10.0.1.9 not responding, still trying\n" +
            "6,4,3000000,-;nfs: server 10.0.1.9 OK\n" +
            "3,5,4000000,-;INFO: task mount.nfs4:4711 blocked for more than 120 seconds.\n");

        string m = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_kernel_log_events_total") >= 4, TimeSpan.FromSeconds(20), "four kernel log events");
        Assert.Equal(2, Daemon.Sum(m, "nfswatch_kernel_log_events_total", "event=\"server_not_responding\"", "server=\"10.0.1.9\""));
        Assert.Equal(1, Daemon.Sum(m, "nfswatch_kernel_log_events_total", "event=\"server_ok\"", "server=\"10.0.1.9\""));
        Assert.Equal(1, Daemon.Sum(m, "nfswatch_kernel_log_events_total", "event=\"hung_task\""));
        Assert.Equal(0, Daemon.Sum(m, "nfswatch_kernel_log_events_total", "server=\"old.example\""));
        Assert.Equal(1, Daemon.Sum(m, "nfswatch_probe_available", "probe=\"kmsg\""));
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Contains("Kernel: nfs: server 10.0.1.9 not responding", daemon.Output);
    }

    [Fact]
    public async Task AMissingKernelLogIsSaidPlainly()
    {
        using var daemon = new Daemon("1s", "200ms", "--kmsg", "/nonexistent/kmsg");
        string m = await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_probe_available{probe=\"kmsg\"}"), TimeSpan.FromSeconds(20), "the kmsg probe");
        Assert.Equal(0, Daemon.Sum(m, "nfswatch_probe_available", "probe=\"kmsg\""));
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Contains("Probe kmsg is not available: kernel log lines", daemon.Output);
        Assert.DoesNotContain("refused for 0", daemon.Output);
    }
}
