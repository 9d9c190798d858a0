using NfsWatch.Core.Explanation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>The recent kernel log events kept for triage, and the ones linked to a stuck thread.</summary>
public class KernelLogViewTests
{
    private static KernelLogEvent Hung(int tid, double seconds) =>
        new(KernelLogEvent.HungTask, null, tid, seconds, $"INFO: task mount.nfs4:{tid} blocked for more than 120 seconds.");

    private static KernelLogEvent NotResponding(string server, double seconds) =>
        new(KernelLogEvent.ServerNotResponding, server, 0, seconds, $"nfs: server {server} not responding, still trying");

    private static KernelLogEvent Ok(string server, double seconds) =>
        new(KernelLogEvent.ServerOk, server, 0, seconds, $"nfs: server {server} OK");

    [Fact]
    public void HungTaskReportsAreLinkedByThreadIdAndServerLinesByServer()
    {
        var view = new KernelLogView();
        view.Add([NotResponding("10.0.1.9", 5.678901), Hung(3007, 130), Hung(3000, 131), NotResponding("10.0.1.10", 140), Ok("10.0.1.9", 150.04)]);
        // dockerd's mount thread: pid 3000, thread 3007 (the kernel reports the thread id).
        var thread = Snapshots.Call(3000, 3007, 200, true, server: "10.0.1.9", comm: "dockerd");

        Assert.Equal(
            ["[5.7] nfs: server 10.0.1.9 not responding, still trying",
             "[130.0] INFO: task mount.nfs4:3007 blocked for more than 120 seconds.",
             "[150.0] nfs: server 10.0.1.9 OK"],
            About(view, thread));
    }

    [Fact]
    public void WithoutAServerOnlyHungTaskReportsAreLinked()
    {
        var view = new KernelLogView();
        view.Add([NotResponding("10.0.1.9", 1), Hung(4711, 2), new KernelLogEvent(KernelLogEvent.ServerOk, null, 0, 3, "odd")]);

        var have = About(view, Snapshots.Call(4711, 4711, 200, true));

        Assert.Equal(["[2.0] INFO: task mount.nfs4:4711 blocked for more than 120 seconds."], have);
    }

    [Fact]
    public void ServerEventsDoNotLinkByPid()
    {
        var view = new KernelLogView();
        // A server event carries Pid 0; a hung-task report of another thread does not match.
        view.Add([NotResponding("10.0.1.9", 1), Hung(4712, 2)]);

        Assert.Empty(About(view, Snapshots.Call(0, 0, 200, true)));
        Assert.Empty(About(view, Snapshots.Call(4711, 4711, 200, true, server: "10.0.1.10")));
    }

    [Fact]
    public void KeepsTheLatestThreePerThread()
    {
        var view = new KernelLogView();
        view.Add(Enumerable.Range(1, 10).Select(i => NotResponding("10.0.1.9", i)));
        view.Add([Hung(4711, 11)]);

        var have = About(view, Snapshots.Call(4711, 4711, 200, true, server: "10.0.1.9"));

        Assert.Equal(
            ["[9.0] nfs: server 10.0.1.9 not responding, still trying",
             "[10.0] nfs: server 10.0.1.9 not responding, still trying",
             "[11.0] INFO: task mount.nfs4:4711 blocked for more than 120 seconds."],
            have);
    }

    [Fact]
    public void KeepsAtMost256EventsDroppingTheOldest()
    {
        var view = new KernelLogView();
        view.Add([Hung(4711, 0.5)]);
        view.Add(Enumerable.Range(1, 300).Select(i => NotResponding($"10.0.{i / 256}.{i % 256}", i)));

        Assert.Equal(256, view.Events.Count);
        Assert.Equal(45, view.Events.First().Seconds);
        Assert.Equal(300, view.Events.Last().Seconds);
        // The hung-task report and the first servers' lines are gone.
        Assert.Empty(About(view, Snapshots.Call(4711, 4711, 200, true, server: "10.0.0.1")));
        Assert.Single(About(view, Snapshots.Call(1, 1, 200, true, server: "10.0.0.45")));
    }

    [Fact]
    public void EmptyViewKnowsNothing()
    {
        var view = new KernelLogView();
        view.Add([]);

        Assert.Empty(view.Events);
        Assert.Empty(About(view, Snapshots.Call(1, 1, 200, true, server: "10.0.1.9")));
    }

    private static IReadOnlyList<string> About(KernelLogView view, NfsWatch.Core.Report.HangReport r) => view.About(r.Thread, r.Server);
}
