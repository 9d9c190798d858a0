using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// One user cannot keep a real hang from being explained by wedging processes: reads of a process's memory
/// happen in a child with a deadline, a scan starts only a few, and a process remembered as wedged costs none of
/// them. Here the "memory" of nine processes that sit in mount(2) is a FIFO with no writer, so the child's
/// open(2) really blocks until the reader kills it at its deadline.
/// </summary>
public class IsolatedReadBudgetTests
{
    [Fact]
    public void WedgedProcessesOfOneUserDelayARealHangsReadByOneScanAtMostAndThenCostNothing()
    {
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        // The real hang (pid 2100) is stuck where anyone's can be, in the target's lookup: no priority of its own.
        string real = Path.Combine(tree.Path, "2100", "task", "2100");
        File.WriteAllText(Path.Combine(real, "stack"), FixtureThreads.FuseTargetLookupStack);
        // Nine processes of another user at lower pids, in mount(2) for longer, with memory that never answers.
        for (int pid = 1000; pid < 1000 + CallArguments.MaxReadsPerScan + 1; pid++)
        {
            string process = FixtureThreads.AddMountCallLike2100(tree, pid, FixtureThreads.FuseTargetLookupStack);
            Assert.Equal(0, Posix.MkFifo(Path.Combine(process, "mem"), 0b110_000_000));
        }
        var proc = new ProcFs(tree.Path);
        var scanner = new MountScanner(proc, TimeSpan.FromSeconds(30));
        var reader = new IsolatedReader(new SelfCommand("dotnet", [NfsWatchProcess.Dll]), tree.Path, TimeSpan.FromSeconds(1));
        var pipeline = new ReportPipeline(proc, SignatureCatalog.Defaults, reader, TimeSpan.FromSeconds(15));
        HangReport Real() => Assert.Single(pipeline.Build(scanner.Scan(), new KernelLogView(), [], new ReportInputs()).MountCalls, c => c.Pid == 2100);

        // First scan: the budget goes to the squatters, which have waited longer; each read times out.
        Assert.Null(Real().Source);
        Assert.Equal(CallArguments.MaxReadsPerScan, reader.Timeouts);
        // Second: the eight wedged ones are skipped at no cost; the ninth and the real hang are read.
        Assert.Equal("127.0.0.2:/", Real().Source);
        Assert.Equal(CallArguments.MaxReadsPerScan + 1, reader.Timeouts);
        // Later scans read nothing more: the real call is known, the squatters are remembered as wedged.
        Assert.Equal(("127.0.0.2:/", "nfs4"), (Real().Source, Real().FsType));
        Assert.Equal(CallArguments.MaxReadsPerScan + 1, reader.Timeouts);
        Assert.Equal(CallArguments.MaxReadsPerScan + 1, reader.WedgedProcesses);
    }

    [Fact]
    public void AMountCallInsideNfsCodeIsReadBeforeCallsAnyoneCanMake()
    {
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        for (int pid = 1000; pid < 1000 + CallArguments.MaxReadsPerScan; pid++)
        {
            string process = FixtureThreads.AddMountCallLike2100(tree, pid, FixtureThreads.FuseTargetLookupStack);
            File.Copy(Path.Combine(tree.Path, "2100", "mem"), Path.Combine(process, "mem"));
        }
        var proc = new ProcFs(tree.Path);
        var reader = new IsolatedReader(new SelfCommand("dotnet", [NfsWatchProcess.Dll]), tree.Path, TimeSpan.FromSeconds(5));
        var report = new ReportPipeline(proc, SignatureCatalog.Defaults, reader, TimeSpan.FromSeconds(15))
            .Build(new MountScanner(proc, TimeSpan.FromSeconds(30)).Scan(), new KernelLogView(), [], new ReportInputs());

        // Eight calls stuck longer in a FUSE lookup, and one in NFS code: of the eight reads this scan, one is its.
        Assert.Equal("127.0.0.2:/", Assert.Single(report.MountCalls, c => c.Pid == 2100).Source);
        Assert.Equal(CallArguments.MaxReadsPerScan - 1, report.MountCalls.Count(c => c.Pid != 2100 && c.Source is not null));
    }

    [Fact]
    public void ThreadsOfOneProcessInTheSameCallShareOneRead()
    {
        // mount.nfs4's one call, and twenty more threads of the same process in the same call with the same
        // arguments (dockerd's threads mounting one volume): more than a scan's reads, all explained at once.
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        string real = Path.Combine(tree.Path, "2100", "task", "2100");
        for (int tid = 2101; tid <= 2120; tid++)
        {
            string task = Path.Combine(tree.Path, "2100", "task", $"{tid}");
            Directory.CreateDirectory(task);
            foreach (string f in new[] { "syscall", "wchan", "stack", "sched" }) File.Copy(Path.Combine(real, f), Path.Combine(task, f));
            File.WriteAllText(Path.Combine(task, "stat"), File.ReadAllText(Path.Combine(real, "stat")).Replace("2100 (mount.nfs4)", $"{tid} (mount.nfs4)"));
        }
        var proc = new ProcFs(tree.Path);
        var reader = new IsolatedReader(new SelfCommand("dotnet", [NfsWatchProcess.Dll]), tree.Path, TimeSpan.FromSeconds(5));
        var report = new ReportPipeline(proc, SignatureCatalog.Defaults, reader, TimeSpan.FromSeconds(15))
            .Build(new MountScanner(proc, TimeSpan.FromSeconds(30)).Scan(), new KernelLogView(), [], new ReportInputs());

        Assert.True(report.MountCalls.Count > CallArguments.MaxReadsPerScan);
        Assert.Equal(21, report.MountCalls.Count(c => c.Pid == 2100));
        Assert.All(report.MountCalls, c => Assert.Equal(("127.0.0.2:/", "nfs4"), (c.Source, c.FsType)));
    }
}
