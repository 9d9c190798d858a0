using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

[CollectionDefinition("live", DisableParallelization = true)]
public class LiveCollection;

/// <summary>
/// Genuinely hung mount(2) calls on the running kernel, seen by the real binary: the daemon's /metrics and
/// `scan --json`. Each hang is cleaned up by Dispose even when an assertion fails.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class LiveHangTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private const string HungMetric = "nfswatch_hung_mount_threads";

    [Theory]
    [InlineData(false, "bpf")]
    [InlineData(true, "bpf")]
    [InlineData(false, "procfs")]
    [InlineData(true, "procfs")]
    public async Task DaemonReportsAHungMountThenReturnsToZeroAfterCleanup(bool secondThread, string probe)
    {
        using var daemon = new Daemon("1s", "250ms", "--probe", probe);
        await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), Soon, "the first scan");

        using (var hang = new HungMount(secondThread: secondThread))
        {
            hang.WaitUntilBlocked();
            // Wait until the call is clearly past the 1 s threshold (2 s): "time since it last ran" compares
            // scheduler clocks of two CPUs, which differ by about 0.26 s on this VM, so a scan right at the
            // threshold could fairly see it either side.
            string metrics = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, HungMetric, "syscall=\"mount\"") >= 1
                && Daemon.Sum(m, "nfswatch_hung_mount_oldest_seconds") >= 2, Soon, "the hung mount on /metrics, 2 s old");
            Assert.True(Daemon.Sum(metrics, "nfswatch_mount_syscall_threads", "syscall=\"mount\"") >= 1);
            Assert.True(Daemon.Sum(metrics, "nfswatch_hung_mount_oldest_seconds") >= 1);
            Assert.True(Daemon.Sum(metrics, "nfswatch_hung_mount_events_total") >= 1);
            string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            Assert.True(Daemon.Sum(metrics, HungMetric, $"kernel=\"{release}\"") >= 1, "the kernel label is the running kernel's release");

            var call = FindInScan(hang, threshold: "1s");
            Assert.True(call.GetProperty("hung").GetBoolean());
            Assert.Equal(hang.Pid, call.GetProperty("pid").GetInt32());
            Assert.Equal("mount", call.GetProperty("syscall").GetString());
            Assert.Equal("D", call.GetProperty("state").GetString());
            Assert.Equal("fuse_get_req", call.GetProperty("wchan").GetString());
            Assert.Contains("path_mount", call.GetProperty("stack").EnumerateArray().Select(f => f.GetString()));
            // The call's own arguments, read from its memory by the isolated reader: a bind mount of MNT/sub.
            Assert.Equal(hang.MountPoint + "/sub", call.GetProperty("source").GetString());
            Assert.EndsWith("/target", call.GetProperty("target").GetString());
            if (secondThread) Assert.NotEqual(hang.Pid, hang.Tid);
        }

        string after = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, HungMetric) == 0 && Daemon.Sum(m, "nfswatch_hung_mount_oldest_seconds") == 0,
            Soon, "the gauges to return to 0 after cleanup");
        Assert.Equal(0, Daemon.Sum(after, "nfswatch_mount_syscall_threads", "syscall=\"mount\""));
        Assert.True(Daemon.Sum(after, "nfswatch_hung_mount_events_total") >= 1, "the counter keeps the event");
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Contains("is hung in mount()", daemon.Output);
        Assert.Contains("is no longer hung in mount()", daemon.Output);
    }

    [Fact]
    public void ScanSeesASleepingWaiterInRequestWaitAnswer()
    {
        // Answering FUSE_INIT only: the waiter sleeps interruptibly (S) in request_wait_answer.
        using var hang = new HungMount(HungMount.Mode.Init);
        hang.WaitUntilBlocked();
        Thread.Sleep(2500); // well past the 1 s threshold: CPUs' scheduler clocks differ by ~0.26 s on this VM

        var call = FindInScan(hang, threshold: "1s");
        Assert.Equal("S", call.GetProperty("state").GetString());
        Assert.Equal("request_wait_answer", call.GetProperty("wchan").GetString());
        Assert.True(call.GetProperty("stuck_seconds").GetDouble() >= 1, "a one-shot scan ages the call from when it last ran");
        Assert.True(call.GetProperty("hung").GetBoolean());
    }

    [Fact]
    public void ScanExitsOneAndNamesTheThreadInTheTable()
    {
        using var hang = new HungMount(secondThread: true);
        hang.WaitUntilBlocked();
        Thread.Sleep(2500); // well past the 1 s threshold: CPUs' scheduler clocks differ by ~0.26 s on this VM

        var have = NfsWatchProcess.Run(["scan", "--threshold", "1s"]);

        Assert.Equal(1, have.ExitCode);
        Assert.Matches($@"{hang.Pid}\s+{hang.Tid}\s+fusehang\s+mount\s+D\s+\d+s\s+-\s+fuse_get_req", have.Stdout);
        Assert.Contains("HUNG", have.Stdout);
    }

    [Fact]
    public void ThreadsBehindTheFirstOnesDirectoryLockAreOnItsFilesystemAndWaitForIt()
    {
        // Three threads bind-mount from the one FUSE directory: the first waits for the server inside the lookup,
        // the others for the directory's lock it holds, in plain VFS code that names no filesystem.
        using var hang = new HungMount(threads: 3);
        hang.BlockedThreads(3);
        Thread.Sleep(2500); // well past the 1 s threshold

        var have = NfsWatchProcess.Run(["scan", "--json", "--threshold", "1s"]);
        Assert.Equal(1, have.ExitCode);
        var calls = JsonDocument.Parse(have.Stdout).RootElement.GetProperty("mount_syscalls").EnumerateArray()
            .Where(c => c.GetProperty("pid").GetInt32() == hang.Pid).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("fuse", c.GetProperty("fstype").GetString()));
        var waiters = calls.Where(c => c.GetProperty("waits_for").ValueKind == JsonValueKind.Object).ToList();
        Assert.Equal(2, waiters.Count);
        Assert.All(waiters, w => Assert.StartsWith("a directory lock", w.GetProperty("waits_for").GetProperty("on").GetString()));
    }

    [Fact]
    public void YoungCallsAreListedButNotHung()
    {
        using var hang = new HungMount();
        hang.WaitUntilBlocked();

        var call = FindInScan(hang, threshold: "1h", wantExit: null);
        Assert.False(call.GetProperty("hung").GetBoolean());
    }

    private static JsonElement FindInScan(HungMount hang, string threshold, int? wantExit = 1)
    {
        var have = NfsWatchProcess.Run(["scan", "--json", "--threshold", threshold]);
        if (wantExit is int exit) Assert.True(exit == have.ExitCode, $"scan exited {have.ExitCode}, not {exit}:\n{have.Stdout}\n{have.Stderr}");
        var calls = JsonDocument.Parse(have.Stdout).RootElement.GetProperty("mount_syscalls").EnumerateArray().ToList();
        return Assert.Single(calls, c => c.GetProperty("tid").GetInt32() == hang.Tid).Clone();
    }
}
