using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// Who blocks whom among mounts stuck on NFS client initialisation (../shared/TESTBED.md section 2: one mount's
/// client initialises forever and every later mount waits in nfs_wait_client_init_complete).
/// </summary>
public class RoleAnalysisTests
{
    private static readonly SignatureMatch Stalled = new("nfs4-client-init-stalled", "T", "R", "M");
    private static readonly SignatureMatch Deadlock = new("nfs4-client-init-deadlock", "T", "R", "M");

    private static StuckThread Mount(int pid, double stuck, SignatureMatch? signature, string? stackRole, string? server = null, string comm = "mount.nfs4", int? tid = null) =>
        Snapshots.Call(pid, tid ?? pid, stuck, true, server: server, comm: comm) with { Signature = signature, StackRole = stackRole };

    [Fact]
    public void TheOlderBlockerBlocksTheWaiters()
    {
        var olderBlocker = Mount(2100, 600, Stalled, "blocker", server: "127.0.0.3");
        var youngerBlocker = Mount(2200, 90, Stalled, "blocker", server: "127.0.0.4");
        var waiter1 = Mount(2300, 80, Stalled, "waiter", server: "127.0.0.1");
        var waiter2 = Mount(3000, 60, Stalled, "waiter", comm: "dockerd", tid: 3007);

        var have = RoleAnalysis.Assign([waiter1, youngerBlocker, olderBlocker, waiter2]);

        Assert.Equal([2300, 2200, 2100, 3000], have.Select(t => t.Pid));
        var blocker = have[2];
        Assert.Equal("blocker", blocker.Role);
        Assert.Contains("2 mounts wait", blocker.Triage, StringComparison.Ordinal);
        Assert.Contains("pid 2300 (mount.nfs4)", blocker.Triage, StringComparison.Ordinal);
        Assert.Contains("pid 3000 (dockerd)", blocker.Triage, StringComparison.Ordinal);
        Assert.Contains("kill -9 2100", blocker.Triage, StringComparison.Ordinal);
        Assert.Contains("127.0.0.3", blocker.Triage, StringComparison.Ordinal);
        Assert.Contains("10m00s", blocker.Triage, StringComparison.Ordinal);
        Assert.DoesNotContain("2200", blocker.Triage, StringComparison.Ordinal);

        // The younger thread with a blocker's stack holds no one up.
        Assert.Null(have[1].Role);
        Assert.Null(have[1].Triage);

        foreach (var waiter in new[] { have[0], have[3] })
        {
            Assert.Equal("waiter", waiter.Role);
            Assert.Contains("pid 2100 (mount.nfs4, thread 2100)", waiter.Triage, StringComparison.Ordinal);
            Assert.Contains("mounting 127.0.0.3", waiter.Triage, StringComparison.Ordinal);
            Assert.Contains("Ending pid 2100 or fixing 127.0.0.3", waiter.Triage, StringComparison.Ordinal);
            Assert.DoesNotContain("2200", waiter.Triage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OnlyRolesAndTriageChange()
    {
        var blocker = Mount(2100, 600, Stalled, "blocker", server: "127.0.0.3");
        var waiter = Mount(2300, 80, Stalled, "waiter");

        var have = RoleAnalysis.Assign([blocker, waiter]);

        // Compared as text: StuckThread's record equality cannot compare two instances of one thread (see below).
        Assert.Equal((blocker with { Role = have[0].Role, Triage = have[0].Triage }).ToString(), have[0].ToString());
        Assert.Equal((waiter with { Role = have[1].Role, Triage = have[1].Triage }).ToString(), have[1].ToString());
        Assert.Same(blocker.Stack, have[0].Stack);
        Assert.Equal("blocker", have[0].StackRole);
    }

    [Fact]
    public void TheInputIsNotChanged()
    {
        List<StuckThread> input = [Mount(2100, 600, Stalled, "blocker"), Mount(2300, 80, Stalled, "waiter")];
        var before = input.ToList();

        RoleAnalysis.Assign(input);

        Assert.Same(before[0], input[0]);
        Assert.Same(before[1], input[1]);
        Assert.All(input, t => Assert.Null(t.Role));
    }

    [Fact]
    public void BlockerWithoutAServerIsToldOnlyToEndIt()
    {
        var have = RoleAnalysis.Assign([Mount(2100, 45, Stalled, "blocker"), Mount(2300, 30, Stalled, "waiter")]);

        Assert.EndsWith("To release it, end pid 2100 (mount.nfs4): kill -9 2100.", have[0].Triage, StringComparison.Ordinal);
        Assert.DoesNotContain("server", have[0].Triage, StringComparison.Ordinal);
        Assert.Equal("Waits for the NFS client initialisation of pid 2100 (mount.nfs4, thread 2100). Ending pid 2100 unblocks this mount.", have[1].Triage);
    }

    [Fact]
    public void NoWaitersNoRoles()
    {
        List<StuckThread> mounts = [Mount(2100, 600, Stalled, "blocker", server: "127.0.0.3"), Mount(2200, 60, Stalled, "blocker")];

        var have = RoleAnalysis.Assign(mounts);

        Assert.Same(mounts[0], have[0]);
        Assert.Same(mounts[1], have[1]);
        Assert.All(have, t => Assert.Null(t.Role));
        Assert.All(have, t => Assert.Null(t.Triage));
    }

    [Fact]
    public void WaitersWithoutABlockerSayItWasNotFound()
    {
        var have = RoleAnalysis.Assign([Mount(2300, 80, Stalled, "waiter"), Mount(2400, 70, Stalled, "waiter"), Mount(2500, 60, Stalled, null)]);

        Assert.All(have.Take(2), t =>
        {
            Assert.Equal("waiter", t.Role);
            Assert.Contains("not found", t.Triage, StringComparison.Ordinal);
        });
        Assert.Null(have[2].Role);
        Assert.Null(have[2].Triage);
    }

    [Fact]
    public void SignaturesDoNotMix()
    {
        var stalledBlocker = Mount(2100, 600, Stalled, "blocker", server: "127.0.0.3");
        var deadlockWaiter = Mount(2300, 80, Deadlock, "waiter");

        var have = RoleAnalysis.Assign([stalledBlocker, deadlockWaiter]);

        Assert.Null(have[0].Role);
        Assert.Null(have[0].Triage);
        Assert.Equal("waiter", have[1].Role);
        Assert.Contains("not found", have[1].Triage, StringComparison.Ordinal);
        Assert.DoesNotContain("2100", have[1].Triage, StringComparison.Ordinal);
    }

    [Fact]
    public void EachSignatureGetsItsOwnBlocker()
    {
        var have = RoleAnalysis.Assign(
        [
            Mount(2100, 600, Stalled, "blocker"), Mount(2101, 500, Deadlock, "blocker"),
            Mount(2300, 80, Stalled, "waiter"), Mount(2301, 70, Deadlock, "waiter"),
        ]);

        Assert.Equal(["blocker", "blocker", "waiter", "waiter"], have.Select(t => t.Role));
        Assert.Contains("pid 2300 ", have[0].Triage, StringComparison.Ordinal);
        Assert.DoesNotContain("2301", have[0].Triage, StringComparison.Ordinal);
        Assert.Contains("pid 2301 ", have[1].Triage, StringComparison.Ordinal);
        Assert.Contains("pid 2100 ", have[2].Triage, StringComparison.Ordinal);
        Assert.Contains("pid 2101 ", have[3].Triage, StringComparison.Ordinal);
    }

    [Fact]
    public void ThreadsWithoutASignatureAreLeftAlone()
    {
        var plain = Mount(4000, 900, null, null);
        var roleOnly = Mount(4001, 900, null, "blocker");

        var have = RoleAnalysis.Assign([plain, roleOnly, Mount(2300, 80, Stalled, "waiter")]);

        Assert.Same(plain, have[0]);
        Assert.Same(roleOnly, have[1]);
        Assert.Contains("not found", have[2].Triage, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyWaitersAreCountedAndTheFirstFiveNamed()
    {
        var waiters = Enumerable.Range(0, 7).Select(i => Mount(3000 + i, 100 - i, Stalled, "waiter")).ToList();

        var have = RoleAnalysis.Assign([Mount(2100, 600, Stalled, "blocker"), .. waiters]);

        string triage = have[0].Triage!;
        Assert.StartsWith("7 mounts wait", triage, StringComparison.Ordinal);
        for (int i = 0; i < 5; i++) Assert.Contains($"pid {3000 + i} (mount.nfs4)", triage, StringComparison.Ordinal);
        Assert.DoesNotContain("pid 3005", triage, StringComparison.Ordinal);
        Assert.Contains("and 2 more", triage, StringComparison.Ordinal);
        Assert.All(have.Skip(1), w => Assert.Equal("waiter", w.Role));
    }

    [Fact]
    public void EmptyIsEmpty()
    {
        Assert.Empty(RoleAnalysis.Assign([]));
    }

    [Fact]
    public void OneWaiterIsSingular()
    {
        var have = RoleAnalysis.Assign([Mount(2100, 600, Stalled, "blocker"), Mount(2300, 80, Stalled, "waiter")]);

        Assert.StartsWith("1 mount waits for this thread's NFS client initialisation: pid 2300 (mount.nfs4). To release it,", have[0].Triage, StringComparison.Ordinal);
    }

    // RoleAnalysis finds the thread to replace with List.IndexOf, i.e. StuckThread's record equality, which compares
    // Args, an [InlineArray] struct: ValueType.Equals throws NotSupportedException for it. Only reached when two list
    // entries agree on Pid, Tid, StartTimeTicks, Comm, Syscall and SyscallNumber (the same thread twice).
    [Fact]
    public void AThreadListedTwiceDoesNotThrow()
    {
        var waiter = Mount(2300, 80, Stalled, "waiter");

        var have = RoleAnalysis.Assign([waiter, waiter with { }, Mount(2100, 600, Stalled, "blocker")]);

        Assert.Equal(["waiter", "waiter", "blocker"], have.Select(t => t.Role));
    }

    [Fact]
    public void StuckThreadEqualityAndHashing()
    {
        var thread = Mount(2300, 80, Stalled, "waiter");

        Assert.Equal(thread, thread with { });
        Assert.Equal(thread.GetHashCode(), (thread with { }).GetHashCode());
    }
}
