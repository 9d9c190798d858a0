using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// The daemon and `scan` run as user nobody (setpriv) over the real /proc while root's thread hangs in mount(2)
/// on a FUSE mount: they cannot see that thread, and they say so - which probes are missing and why - at
/// start-up, in nfswatch_probe_available and in scan output, instead of reporting a healthy host.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class UnprivilegedDaemonTests
{
    [Fact]
    public async Task WithoutRootTheMissingProbesAreNamedAtStartUpInMetricsAndInScan()
    {
        using var hang = new HungMount();
        hang.WaitUntilBlocked();
        using var state = new TempTree();
        File.SetUnixFileMode(state.Path, (UnixFileMode)0b111_111_111);
        // A kernel log only root may open, whatever this host's kernel.dmesg_restrict says about /dev/kmsg.
        string kmsg = Path.Combine(state.Path, "kmsg");
        File.WriteAllText(kmsg, "");
        File.SetUnixFileMode(kmsg, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var daemon = new Daemon(NfsWatchProcess.AsNobody, "1s", "500ms", "--state-dir", state.Path, "--log", "console", "--kmsg", kmsg);
        // /metrics answers from start-up (nfswatch_last_scan_timestamp_seconds 0); the probes are there once the first scan is.
        string m = await daemon.WaitForMetricsAsync(m => m.Contains("\nnfswatch_probe_available{"), TimeSpan.FromSeconds(30), "the first scan");
        // Said by the first scan, which runs before the daemon tells systemd it is ready: these lines are logged
        // when the set of missing probes changes, so only the first scan logs them. They reach the test through a
        // pipe, after the metrics they follow.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!daemon.Output.Contains("Probe kmsg is not available") && DateTime.UtcNow < until) await Task.Delay(50);
        string startup = daemon.Output;
        Assert.Matches(@"Probe syscall was refused for \d+ thread\(s\), such as pid \d+ \(.+\): ", startup);
        Assert.Contains("Probe stack ", startup);
        Assert.Contains("Probe kmsg is not available", startup);
        Assert.Contains("Watching through procfs (bpf: no CAP_BPF and CAP_PERFMON)", startup);

        string probes = string.Join("\n", m.Split('\n').Where(l => l.StartsWith("nfswatch_probe_available", StringComparison.Ordinal)));
        foreach (string line in new[] { "{probe=\"syscall\"} 0", "{probe=\"stack\"} 0", "{probe=\"sched\"} 1", "{probe=\"kmsg\"} 0", "{probe=\"bpf\"} 0" })
            Assert.True(m.Contains($"\nnfswatch_probe_available{line}\n"), $"no nfswatch_probe_available{line} in:\n{probes}\n{startup}");
        // Root's hung thread is invisible to nobody: nothing is claimed about it either way.
        Assert.Contains("\nnfswatch_hung_mount_oldest_seconds 0\n", m);

        var scan = NfsWatchProcess.Run(["scan", "--state-dir", state.Path], prefix: NfsWatchProcess.AsNobody);
        Assert.Equal(0, scan.ExitCode);
        Assert.Matches(@"Nothing hangs among the threads it could read; \d+ threads could not be checked \(run it as root\)", scan.Stdout);
        Assert.DoesNotContain("Nothing hangs.", scan.Stdout);

        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
    }
}
