using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// How long a thread has been in its call, across scans of a daemon: the time since NfsWatch first saw it
/// there, never inherited by a reused thread id or by a new call.
/// </summary>
public class CallAgeTests : IDisposable
{
    private readonly TempTree _tree = Fixtures.CopyToTemp("dockerd-thread");
    private readonly ManualTime _time = new();
    private readonly MountScanner _scanner;
    private string TaskDir => Path.Combine(_tree.Path, "3000", "task", "3007");

    public CallAgeTests()
    {
        // The thread "ran" just now, so the sched lower bound is 0 and only the daemon's memory ages it.
        SetExecStart(1_000_000);
        _scanner = new MountScanner(new ProcFs(_tree.Path), TimeSpan.FromSeconds(30), _time);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void AgeGrowsWhileTheSameCallIsSeen()
    {
        Assert.Equal(0, Call().StuckSeconds);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(20, Call().StuckSeconds);
        _time.Advance(TimeSpan.FromSeconds(15));
        var call = Call();
        Assert.Equal(35, call.StuckSeconds);
        Assert.True(call.Hung);
    }

    [Fact]
    public void AReusedThreadIdStartsFromZero()
    {
        Call();
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(100, Call().StuckSeconds);

        // Same pid and tid, later start time: another thread.
        string stat = File.ReadAllText(Path.Combine(TaskDir, "stat")).Replace(" 5002 ", " 90000 ");
        File.WriteAllText(Path.Combine(TaskDir, "stat"), stat);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, Call().StuckSeconds);
    }

    [Fact]
    public void ANewCallWithOtherArgumentsStartsFromZero()
    {
        Call();
        _time.Advance(TimeSpan.FromSeconds(100));
        File.WriteAllText(Path.Combine(TaskDir, "syscall"), "165 0x1 0x2 0x3 0x0 0x4 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n");

        Assert.Equal(0, Call().StuckSeconds);
    }

    [Fact]
    public void AThreadThatLeftTheCallIsForgotten()
    {
        Call();
        // It returned and now sleeps interruptibly in futex: in no mount call, and not blocked in NFS.
        File.WriteAllText(Path.Combine(TaskDir, "syscall"), "202 0xc000100148 0x80 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x46f023\n");
        File.WriteAllText(Path.Combine(TaskDir, "stat"), File.ReadAllText(Path.Combine(TaskDir, "stat")).Replace("(dockerd) D ", "(dockerd) S "));
        _time.Advance(TimeSpan.FromSeconds(100));
        var after = _scanner.Scan();
        Assert.Empty(after.MountCalls);
        Assert.Empty(after.Blocked);
        Assert.Equal(0, _scanner.TrackedCalls);

        File.WriteAllText(Path.Combine(TaskDir, "syscall"), "165 0x55d0c9a132a0 0x55d0c9a13300 0x55d0c9a13320 0x0 0x55d0c9a14000 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n");
        File.WriteAllText(Path.Combine(TaskDir, "stat"), File.ReadAllText(Path.Combine(TaskDir, "stat")).Replace("(dockerd) S ", "(dockerd) D "));
        Assert.Equal(0, Call().StuckSeconds);
    }

    [Fact]
    public void CrossingTheThresholdIsOneEvent()
    {
        Assert.Empty(_scanner.Scan().NewlyHung);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Single(_scanner.Scan().NewlyHung);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(_scanner.Scan().NewlyHung);
    }

    [Fact]
    public void TheLongerOfMemoryAndLastRunWins()
    {
        SetExecStart(700_000); // last ran 300 s ago (uptime 1000 s)
        Assert.Equal(300, Call().StuckSeconds);
    }

    [Fact]
    public void AgeNeverExceedsTheThreadsOwnAge()
    {
        SetExecStart(0); // "last ran at boot", but the thread started at 50 s (5002 ticks)
        Assert.Equal(1000 - 50.02, Call().StuckSeconds, precision: 3);
    }

    [Fact]
    public void AOneShotScanSeededWithTheDaemonsCallsKnowsTheirWholeAge()
    {
        Call();
        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal(300, Call().StuckSeconds);
        string handover = TrackedCall.Format(_scanner.Tracked());

        // `nfswatch scan` starts afresh (here: a new scanner on a later clock) and reads the daemon's file.
        var later = new ManualTime(); // its own monotonic clock; its wall clock 7 s after the daemon's last scan
        later.Advance(_time.GetUtcNow() - later.GetUtcNow() + TimeSpan.FromSeconds(7));
        var scan = new MountScanner(new ProcFs(_tree.Path), TimeSpan.FromSeconds(30), later);
        scan.Seed(TrackedCall.Parse(handover));

        var call = Assert.Single(scan.Scan().MountCalls);
        Assert.Equal(307, call.StuckSeconds, precision: 3);
        Assert.True(call.Hung);
    }

    [Fact]
    public void TheDaemonsCallsAreIgnoredForAnotherCallOfTheSameThread()
    {
        Call();
        _time.Advance(TimeSpan.FromSeconds(300));
        string handover = TrackedCall.Format(_scanner.Tracked());
        File.WriteAllText(Path.Combine(TaskDir, "syscall"), "165 0x9 0x2 0x3 0x0 0x4 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n");

        var scan = new MountScanner(new ProcFs(_tree.Path), TimeSpan.FromSeconds(30), _time);
        scan.Seed(TrackedCall.Parse(handover));
        Assert.Equal(0, Assert.Single(scan.Scan().MountCalls).StuckSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n1 2 3\n")]
    [InlineData("3000 3007 5002 165 1000 1100 1200 0 2000 0 notanumber\n")]
    public void AMalformedHandoverIsIgnored(string text) => Assert.Empty(TrackedCall.Parse(text));

    private ObservedThread Call() => Assert.Single(_scanner.Scan().MountCalls);

    private void SetExecStart(double ms)
    {
        string sched = File.ReadAllText(Path.Combine(TaskDir, "sched"));
        int at = sched.IndexOf("se.exec_start", StringComparison.Ordinal);
        int end = sched.IndexOf('\n', at);
        sched = sched[..at] + $"se.exec_start                                :{ms,21:F6}" + sched[end..];
        File.WriteAllText(Path.Combine(TaskDir, "sched"), sched);
    }
}
