using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>One scan over each fixture proc tree: what a user would see in `scan --json`.</summary>
public class FixtureScanTests
{
    private static ScanSnapshot Scan(string scenario, double thresholdSeconds = 30) =>
        new MountScanner(new ProcFs(Fixtures.Proc(scenario)), TimeSpan.FromSeconds(thresholdSeconds)).Scan();

    [Fact]
    public void HungMountHelperIsFoundWithItsAgeFromTheLastTimeItRan()
    {
        var have = Scan("nfs4-helper");

        var call = Assert.Single(have.MountCalls);
        Assert.Equal((2100, 2100, "mount.nfs4", "mount", 'D'), (call.Pid, call.Tid, call.Comm, call.Syscall, call.State));
        Assert.Equal("rpc_wait_bit_killable", call.Wchan);
        // uptime 1000 s, se.exec_start 658000 ms: 342 s since it last ran.
        Assert.Equal(342, call.StuckSeconds, precision: 3);
        Assert.True(call.Hung);
        Assert.Equal(["rpc_wait_bit_killable", "__rpc_execute"], call.Stack.Take(2));
        Assert.Equal("__x64_sys_mount", call.Stack[^3]);
        Assert.Equal("6.1.0-56-amd64", have.Kernel.Release);
        Assert.Empty(have.Errors);
    }

    [Fact]
    public void ParentWaitingForTheHelperAndKernelThreadsAreNotMountCalls()
    {
        var have = Scan("nfs4-helper");

        Assert.Equal(4, have.ScannedThreads);
        Assert.DoesNotContain(have.MountCalls, c => c.Pid is 2099 or 2 or 1);
    }

    [Fact]
    public void DockerdNonMainThreadInMountIsReportedByItsThreadId()
    {
        var have = Scan("dockerd-thread");

        var call = Assert.Single(have.MountCalls);
        Assert.Equal((3000, 3007, "dockerd"), (call.Pid, call.Tid, call.Comm));
        Assert.Equal("nfs_wait_client_init_complete", call.Wchan);
        Assert.Equal(120, call.StuckSeconds, precision: 3);
        Assert.Equal(4, have.ScannedThreads);
    }

    [Fact]
    public void ThresholdDecidesHung()
    {
        Assert.False(Assert.Single(Scan("dockerd-thread", thresholdSeconds: 121).MountCalls).Hung);
        Assert.True(Assert.Single(Scan("dockerd-thread", thresholdSeconds: 120).MountCalls).Hung);
    }

    [Fact]
    public void TasksVanishingMidScanAreNotErrors()
    {
        var have = Scan("vanished");

        Assert.Empty(have.MountCalls);
        Assert.Empty(have.Errors);
        Assert.Empty(have.DeniedReads);
    }

    [Fact]
    public void MalformedContentIsCountedPerProbeAndQuoted()
    {
        var have = Scan("malformed");

        Assert.Equal(1, have.Errors["stat"]);
        Assert.Equal(1, have.Errors["syscall"]);
        Assert.Contains(have.ErrorSamples, e => e.Contains("\"5001 badstat S 1 5001\\n\"", StringComparison.Ordinal));
        Assert.Contains(have.ErrorSamples, e => e.Contains("\"zz 0xq\\n\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Arm64NumbersAreUsedWhenTheKernelIsAarch64()
    {
        var have = Scan("arm64");

        var call = Assert.Single(have.MountCalls);
        Assert.Equal((6000, "mount", 40), (call.Pid, call.Syscall, call.SyscallNumber));
        // 165 is mount on x86_64 only; on arm64 it is getrusage.
        Assert.DoesNotContain(have.MountCalls, c => c.Pid == 6001);
    }

    [Fact]
    public void ScanOfAMissingRootFails()
    {
        var scanner = new MountScanner(new ProcFs("/nonexistent-nfswatch-root"), TimeSpan.FromSeconds(30));
        Assert.Throws<ScanFailedException>(() => scanner.Scan());
    }
}
