using NfsWatch.Core.Report;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// A proc read that blocks must not stop watching. In the field that is /proc/PID/task/TID/syscall waiting for
/// a task's exec_update_lock; here the fixture's syscall file is a FIFO with no writer, so open(2) in the
/// scanner really blocks. The scan is abandoned at its deadline, the process is skipped, the next scan answers.
/// </summary>
public class StalledScanTests
{
    [Fact]
    public void AScanBlockedOnOneProcessIsAbandonedAndTheNextSkipsIt()
    {
        using var tree = Fixtures.CopyToTemp("head-of-line");
        string fifo = Path.Combine(tree.Path, "8200", "task", "8200", "syscall");
        File.Delete(fifo);
        Assert.Equal(0, Posix.MkFifo(fifo, 0b110_000_000));
        var stalled = new StalledReads();
        var proc = new ProcFs(tree.Path);
        var cycle = new ScanCycle(() => new MountScanner(proc, TimeSpan.FromSeconds(30)) { Stalled = stalled },
            new ReportPipeline(proc, SignatureCatalog.Defaults, reader: null, TimeSpan.FromSeconds(15)), kernelLog: null)
        {
            Deadline = TimeSpan.FromSeconds(1),
        };
        try
        {
            Assert.Null(cycle.RunGuarded(new ReportInputs(), CancellationToken.None, out var stalledOn));
            Assert.Equal((8200, 8200), stalledOn);
            Assert.Equal(1, stalled.BlockedThreads);

            var next = cycle.RunGuarded(new ReportInputs(), CancellationToken.None, out stalledOn);

            Assert.NotNull(next);
            Assert.Null(stalledOn);
            Assert.Equal([8200], next!.StalledProcesses);
            var blocker = Assert.Single(next.MountCalls);
            Assert.Equal(8100, blocker.Tid); // the other process is still watched
        }
        finally
        {
            // Release the abandoned scan: a writer lets its open(2) return.
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        }
        SpinWait.SpinUntil(() => stalled.BlockedThreads == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, stalled.BlockedThreads);
    }
}
