using System.Text.Json;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Live;
using NfsWatch.Tests.Support;
using Xunit.Abstractions;

namespace NfsWatch.Tests.Vm;

[CollectionDefinition("vm", DisableParallelization = true)]
public class VmCollection;

/// <summary>
/// Real NFS hangs on a real Linux NFS client: the scenarios in a QEMU VM booting a Debian kernel
/// (tests/vm), with the Native AOT nfswatch inside. Each scenario prints the raw
/// proc files of its stuck threads next to what nfswatch reported, so these tests compare the two. Every test runs
/// on the three kernels of the tier (<see cref="VmKernel"/>: 5.10, 6.1, 6.12, named by Debian suite); where the
/// kernels differ, the test says what each one does. tests/run-all vm prepares the VM (tests/vm/prepare) and
/// publishes the binary first.
/// </summary>
[Collection("vm")]
[Trait("Tier", "vm")]
public class VmNfsTests(ITestOutputHelper output)
{
    private const string HungMetric = "nfswatch_hung_mount_threads";

    private VmRun Boot(VmKernel kernel, string scenario)
    {
        var run = VmScenario.Get(kernel, scenario);
        output.WriteLine($"{run}\n{run.Console}");
        Assert.True(run.ExitCode == 0, $"scenario {scenario} on {kernel} failed (exit {run.ExitCode}):\n{run.Tail()}");
        Assert.StartsWith(kernel.ReleasePrefix, run.Fact("kernel.release"));
        return run;
    }

    // (a) An NFSv4.1 mount against an address whose server never answers: waits for the first RPC NULL ping in
    // rpc_create, alone. Two at once: mount(2) called directly, and mount -t nfs4 (its mount.nfs4 helper).
    [Theory]
    [InlineData("bullseye", "direct", "nfsmount")]
    [InlineData("bullseye", "helper", "mount.nfs4")]
    [InlineData("bookworm", "direct", "nfsmount")]
    [InlineData("bookworm-bpf", "direct", "nfsmount")]
    [InlineData("bookworm", "helper", "mount.nfs4")]
    [InlineData("bookworm-bpf", "helper", "mount.nfs4")]
    [InlineData("trixie", "direct", "nfsmount")]
    [InlineData("trixie", "helper", "mount.nfs4")]
    public void NoAnswerMountIsReportedHungWithTheRightThread(string kernel, string role, string comm)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, "no-answer");
        int tid = run.IntFact($"{role}.tid");
        var call = run.MountCall("scan json", tid);

        Assert.Equal(run.IntFact($"{role}.pid"), call.GetProperty("pid").GetInt32());
        Assert.Equal(comm, call.GetProperty("comm").GetString());
        Assert.Equal("mount", call.GetProperty("syscall").GetString());
        Assert.True(call.GetProperty("hung").GetBoolean());
        Assert.True(call.GetProperty("stuck_seconds").GetDouble() >= 2);
        Assert.Equal("D", call.GetProperty("state").GetString());
        // 5.10: wchan reads 0, which nfswatch reports as no wchan (null).
        Assert.Equal(k.WchanFile("rpc_wait_bit_killable"), run.Section($"{role} wchan").Trim());
        Assert.Equal(k.Wchan("rpc_wait_bit_killable"), Str(call, "wchan"));
        Assert.Equal(ToPathMount(run.StackFrames(role)), ToPathMount(Frames(call)));
        Assert.Equal(k.PingFrames, Between(Frames(call), "rpc_run_task", "rpc_create_xprt"));
        Assert.Contains("nfs4_alloc_client", Frames(call));
        Assert.Equal(JsonValueKind.Null, call.GetProperty("role").ValueKind); // it holds no one up

        // Explained: the call's own arguments, read from its memory inside the VM.
        Assert.Equal(("nfs4", "127.0.0.2:/", $"/mnt/{role}"), (Str(call, "fstype"), Str(call, "source"), Str(call, "target")));
        Assert.Equal(("4.1", "127.0.0.2"), (Str(call, "nfs_version"), Str(call, "server")));
        Assert.Contains("addr=127.0.0.2", Str(call, "options"));
    }

    // Each kernel shows the first ping its own way (5.10 inlines rpc_ping and calls rpc_call_sync): the same answer.
    [Theory]
    [InlineData("bullseye", "direct")]
    [InlineData("bullseye", "helper")]
    [InlineData("bookworm", "direct")]
    [InlineData("bookworm-bpf", "direct")]
    [InlineData("bookworm", "helper")]
    [InlineData("bookworm-bpf", "helper")]
    [InlineData("trixie", "direct")]
    [InlineData("trixie", "helper")]
    public void NoAnswerMountIsExplainedAsAnUnreachableServer(string kernel, string role)
    {
        var run = Boot(VmKernel.Of(kernel), "no-answer");
        var call = run.MountCall("scan json", run.IntFact($"{role}.tid"));

        Assert.Equal("nfs-server-unreachable-at-mount", SignatureId(call));
        // Alone: it waits for no one and no one waits for it; it waits for its server's reply.
        Assert.Equal(JsonValueKind.Null, call.GetProperty("waits_for").ValueKind);
        Assert.Empty(call.GetProperty("waiters").EnumerateArray());
        Assert.Equal("no_reply_from_server", Str(call, "cause"));
        var action = call.GetProperty("action");
        Assert.Equal(JsonValueKind.Null, action.GetProperty("end").ValueKind); // ending it releases no one
        Assert.Equal("server 127.0.0.2", Str(action, "fix"));
        Assert.Contains("The mount holds up no other mount", Str(action, "summary"));
    }

    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void NoAnswerScanNamesTheVmKernelAndExitsOne(string kernel)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, "no-answer");
        var scan = run.Json("scan json");

        string release = run.Fact("kernel.release");
        Assert.Equal(release, scan.GetProperty("kernel").GetProperty("release").GetString());
        Assert.Equal(1, run.IntFact("scan json.exit"));
        Assert.Equal(2, scan.GetProperty("mount_syscalls").EnumerateArray().Count(c => c.GetProperty("hung").GetBoolean()));
        Assert.True(scan.GetProperty("probes").GetProperty("stack").GetBoolean(), "root in the VM can read kernel stacks");
        Assert.Equal(1, run.IntFact("scan table.exit"));
        Assert.Matches(TableRow(run, "direct", "nfsmount", "-", k.WchanColumn("rpc_wait_bit_killable")), run.Section("scan table"));
        Assert.Equal(0, run.IntFact("after.mount_threads"));
    }

    // (b) Head-of-line blocking: a mount to a server that answers only pings holds its client initialising, and
    // a mount of the healthy kernel NFS server waits behind it until the blocker is killed. The same stacks on
    // all three kernels.
    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void HeadOfLineBlockerAndWaiterAreBothReportedHung(string kernel)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, "head-of-line");

        var blocker = run.MountCall("scan json", run.IntFact("blocker.tid"));
        Assert.Equal(run.IntFact("blocker.pid"), blocker.GetProperty("pid").GetInt32());
        Assert.True(blocker.GetProperty("hung").GetBoolean());
        Assert.Equal("D", blocker.GetProperty("state").GetString());
        Assert.Equal(k.Wchan("rpc_wait_bit_killable"), Str(blocker, "wchan"));
        Assert.Equal(ToPathMount(run.StackFrames("blocker")), ToPathMount(Frames(blocker)));
        Assert.Contains("nfs4_run_exchange_id", Frames(blocker));
        Assert.Contains("nfs4_discover_server_trunking", Frames(blocker));

        var waiter = run.MountCall("scan json", run.IntFact("waiter.tid"));
        Assert.Equal(run.IntFact("waiter.pid"), waiter.GetProperty("pid").GetInt32());
        Assert.Equal("mount.nfs4", waiter.GetProperty("comm").GetString());
        Assert.True(waiter.GetProperty("hung").GetBoolean());
        Assert.Equal("D", waiter.GetProperty("state").GetString());
        Assert.Equal(k.Wchan("nfs_wait_client_init_complete"), Str(waiter, "wchan"));
        Assert.Equal(k.WchanFile("nfs_wait_client_init_complete"), run.Fact("waiter.wchan"));
        Assert.Equal(ToPathMount(run.StackFrames("waiter")), ToPathMount(Frames(waiter)));
        Assert.Equal(new[] { "nfs_wait_client_init_complete", "nfs_get_client", "nfs4_set_client" }, Frames(waiter).Take(3));

        Assert.Equal(1, run.IntFact("scan json.exit"));
        string table = run.Section("scan table");
        Assert.Matches(TableRow(run, "blocker", "nfsmount", "blocker", k.WchanColumn("rpc_wait_bit_killable")), table);
        Assert.Matches(TableRow(run, "waiter", "mount.nfs4", "waiter", k.WchanColumn("nfs_wait_client_init_complete")), table);
    }

    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void HeadOfLineNamesTheBlockerTheWaiterAndWhatToEnd(string kernel)
    {
        var run = Boot(VmKernel.Of(kernel), "head-of-line");
        var blocker = run.MountCall("scan json", run.IntFact("blocker.tid"));
        var waiter = run.MountCall("scan json", run.IntFact("waiter.tid"));

        Assert.Equal(("blocker", "waiter"), (Str(blocker, "role"), Str(waiter, "role")));
        Assert.Equal("nfs4-clientid-not-answered", SignatureId(blocker));
        Assert.Equal("nfs-client-init-queued", SignatureId(waiter));
        Assert.Equal(("4.1", "127.0.0.3", "/mnt/a"), (Str(blocker, "nfs_version"), Str(blocker, "server"), Str(blocker, "target")));
        Assert.Equal(("4.1", "127.0.0.1", "/mnt/b"), (Str(waiter, "nfs_version"), Str(waiter, "server"), Str(waiter, "target")));
        // The wait-for graph: the waiter waits for the blocker's client, found by what they share.
        var on = waiter.GetProperty("waits_for");
        Assert.Equal((run.IntFact("blocker.pid"), run.IntFact("blocker.tid"), "the initialisation of the NFS client for 127.0.0.3"),
            (on.GetProperty("pid").GetInt32(), on.GetProperty("tid").GetInt32(), Str(on, "on")));
        Assert.Equal(("no_reply_from_server", "client_state"), (Str(blocker, "cause"), Str(waiter, "cause")));
        Assert.Contains($"pid {run.Fact("blocker.pid")}", Str(waiter, "triage"));
        Assert.Contains("127.0.0.3", Str(waiter, "triage"));

        // In plain words, for the person on call: which process to end, which server to fix; first in the table.
        var action = run.Json("scan json").GetProperty("actions").EnumerateArray().First();
        Assert.Equal((run.IntFact("blocker.pid"), $"kill -9 {run.Fact("blocker.pid")}", "server 127.0.0.3"),
            (action.GetProperty("end").GetProperty("pid").GetInt32(), Str(action.GetProperty("end"), "command"), Str(action, "fix")));
        Assert.Contains($"pid {run.Fact("waiter.pid")} (mount.nfs4 mounting 127.0.0.1)", Str(action, "summary"));
        string table = run.Section("scan table");
        Assert.Contains($"WHAT TO DO\n  * End pid {run.Fact("blocker.pid")} (nfsmount): kill -9 {run.Fact("blocker.pid")}", table.ReplaceLineEndings("\n"));

        string hung = run.Section("metrics hung");
        Assert.Equal(1, Daemon.Sum(hung, HungMetric, "role=\"blocker\"", "signature=\"nfs4-clientid-not-answered\"", "nfs_version=\"4.1\"", "server=\"127.0.0.3\""));
        Assert.Equal(1, Daemon.Sum(hung, HungMetric, "role=\"waiter\"", "signature=\"nfs-client-init-queued\"", "server=\"127.0.0.1\""));
    }

    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void HeadOfLineMetricsShowBothThenReturnToZeroOnceTheBlockerIsKilled(string kernel)
    {
        var run = Boot(VmKernel.Of(kernel), "head-of-line");
        string release = run.Fact("kernel.release");

        string hung = run.Section("metrics hung");
        Assert.Equal(2, Daemon.Sum(hung, HungMetric, $"kernel=\"{release}\"", "syscall=\"mount\""));
        Assert.True(Daemon.Sum(hung, "nfswatch_hung_mount_oldest_seconds") >= 2);

        // The waiter finishes within moments of the blocker's end, and its mount is there.
        Assert.Equal(0, run.IntFact("waiter.exit"));
        Assert.Equal(1, run.IntFact("waiter.mounted"));
        Assert.True(run.IntFact("waiter.release_ms") < 10_000, $"the waiter took {run.Fact("waiter.release_ms")} ms after the blocker's end");
        Assert.Contains("127.0.0.1:/srv/export /mnt/b nfs4 ", run.Section("proc mounts"));
        Assert.Equal("hello", run.Fact("waiter.file"));

        string after = run.Section("metrics after");
        Assert.Equal(0, Daemon.Sum(after, HungMetric));
        Assert.Equal(0, Daemon.Sum(after, "nfswatch_hung_mount_oldest_seconds"));
        Assert.Equal(0, Daemon.Sum(after, "nfswatch_mount_syscall_threads"));
        Assert.True(Daemon.Sum(after, "nfswatch_hung_mount_events_total") >= 2, "the counter keeps both events");
        Assert.Empty(run.Json("scan json after").GetProperty("mount_syscalls").EnumerateArray());
        Assert.Equal(0, run.IntFact("scan json after.exit"));

        Assert.Equal(0, run.IntFact("daemon.exit"));
        string log = run.Section("daemon log");
        Assert.Contains($"Thread {run.Fact("blocker.tid")} of nfsmount (pid {run.Fact("blocker.pid")}) is hung in mount()", log);
        Assert.Contains($"Thread {run.Fact("waiter.tid")} of mount.nfs4 (pid {run.Fact("waiter.pid")}) is no longer hung in mount()", log);
    }

    // (c) A hard mount whose server stopped: stat, open and ls wait in D inside NFS/SUNRPC, outside any mount call,
    // and the kernel logs "not responding"; restarting the server lets them finish.
    [Theory]
    [InlineData("bullseye", "stat", "stat", "nfs4_proc_lookup")]
    [InlineData("bullseye", "open", "cat", "nfs4_run_open_task")]
    [InlineData("bullseye", "access", "ls", "nfs4_proc_access")]
    [InlineData("bookworm", "stat", "stat", "nfs4_proc_lookup")]
    [InlineData("bookworm-bpf", "stat", "stat", "nfs4_proc_lookup")]
    [InlineData("bookworm", "open", "cat", "nfs4_run_open_task")]
    [InlineData("bookworm-bpf", "open", "cat", "nfs4_run_open_task")]
    [InlineData("bookworm", "access", "ls", "nfs4_proc_access")]
    [InlineData("bookworm-bpf", "access", "ls", "nfs4_proc_access")]
    [InlineData("trixie", "stat", "stat", "nfs4_proc_lookup")]
    [InlineData("trixie", "open", "cat", "nfs4_run_open_task")]
    [InlineData("trixie", "access", "ls", "nfs4_proc_access")]
    public void HardMountThreadsWaitInNfsCodeWhileTheServerIsGone(string kernel, string role, string comm, string nfsFrame)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, "hard-mount");

        Assert.Equal(comm, run.Fact($"{role}.comm"));
        Assert.Equal("D", run.Fact($"{role}.state"));
        Assert.Equal(k.WchanFile("rpc_wait_bit_killable"), run.Fact($"{role}.wchan"));
        var frames = run.StackFrames(role);
        Assert.Equal("rpc_wait_bit_killable", frames[0]);
        Assert.Contains(nfsFrame, frames);
        Assert.Contains(" [sunrpc]", run.Section($"{role} stack"));
        Assert.Contains(" [nfsv4]", run.Section($"{role} stack"));
        Assert.Equal(0, run.IntFact($"{role}.exit")); // it finished once the server was back

        // Not a mount call: it must not be listed among them, but among the NFS-blocked threads, tied to its mount.
        int tid = run.IntFact($"{role}.tid");
        var scan = run.Json("scan json");
        Assert.DoesNotContain(scan.GetProperty("mount_syscalls").EnumerateArray(), c => c.GetProperty("tid").GetInt32() == tid);
        var blocked = Assert.Single(scan.GetProperty("nfs_blocked").EnumerateArray(), c => c.GetProperty("tid").GetInt32() == tid);
        Assert.True(blocked.GetProperty("hung").GetBoolean(), "scan takes the ages the running daemon has seen (its threads wake at every retransmission)");
        Assert.Equal(k.Wchan("rpc_wait_bit_killable"), Str(blocked, "wchan"));
        Assert.Equal("nfs-io-waits-for-server", SignatureId(blocked));
        Assert.Equal(("nfs4", "4.1", "127.0.0.1", "/mnt/c"), (Str(blocked, "fstype"), Str(blocked, "nfs_version"), Str(blocked, "server"), Str(blocked, "target")));
        Assert.Contains(blocked.GetProperty("kernel_log").EnumerateArray(), l => l.GetString()!.Contains("nfs: server 127.0.0.1 not responding"));
        // The kernel said so: the cause is the server, and what to fix is the server.
        Assert.Equal("server_not_responding", Str(blocked, "cause"));
        Assert.Equal("server 127.0.0.1", Str(blocked.GetProperty("action"), "fix"));
    }

    // (c) A process that exits while the server is gone: its only thread sleeps in clock_nanosleep (an idle wait,
    // whose thread NfsWatch otherwise does not read further), is stopped with SIGTERM, and blocks in D inside
    // do_exit flushing and closing its file. The syscall file still shows the sleep; NfsWatch reports it because
    // the process is exiting.
    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void AProcessExitingOnTheDeadServerIsReportedThoughItsSyscallFileShowsItsSleep(string kernel)
    {
        var run = Boot(VmKernel.Of(kernel), "hard-mount");

        Assert.Equal(("sleep", "D"), (run.Fact("exit.comm"), run.Fact("exit.state")));
        string syscall = run.Section("exit syscall");
        Assert.True(syscall.StartsWith("230 ", StringComparison.Ordinal) || syscall.StartsWith("35 ", StringComparison.Ordinal),
            $"the syscall file should still show the sleep: {syscall}");
        Assert.True(NfsWatch.Core.Detection.MountSyscalls.ForMachine("x86_64").IsIdleWait(int.Parse(syscall.Split(' ')[0]), 0x7ffd00000000));
        var frames = run.StackFrames("exit");
        Assert.Contains("do_exit", frames);
        Assert.Contains(" [nfs", run.Section("exit stack"));
        Assert.Equal(143, run.IntFact("exit.exit")); // SIGTERM, once the server was back and the close finished

        // Its file is being closed, so no argument or descriptor leads to the mount: the stack says NFS 4, and the
        // one NFS mount its process can see says which server.
        int tid = run.IntFact("exit.tid");
        var blocked = Assert.Single(run.Json("scan json").GetProperty("nfs_blocked").EnumerateArray(), c => c.GetProperty("tid").GetInt32() == tid);
        Assert.Equal(("nfs4", "127.0.0.1"), (Str(blocked, "fstype"), Str(blocked, "server")));
        Assert.Equal("nfs-io-waits-for-server", SignatureId(blocked));
    }

    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void HardMountKernelLogSaysNotRespondingThenOk(string kernel)
    {
        var run = Boot(VmKernel.Of(kernel), "hard-mount");

        Assert.Equal(1, run.IntFact("not_responding"));
        Assert.Contains("nfs: server 127.0.0.1 not responding", run.Section("dmesg not responding"));
        Assert.Equal(1, run.IntFact("ok"));
        Assert.Contains("nfs: server 127.0.0.1 OK", run.Section("dmesg"));
        Assert.Contains("timeo=10,retrans=1", run.Section("proc mounts"));
        Assert.Equal(run.Fact("kernel.release"), run.Json("scan json").GetProperty("kernel").GetProperty("release").GetString());
        string blocked = run.Section("metrics blocked");
        Assert.Equal(0, Daemon.Sum(blocked, HungMetric));
        // The daemon followed the kernel log from before the server stopped, and counts what blocks.
        Assert.True(Daemon.Sum(blocked, "nfswatch_kernel_log_events_total", "event=\"server_not_responding\"", "server=\"127.0.0.1\"") >= 1);
        Assert.True(Daemon.Sum(blocked, "nfswatch_nfs_blocked_threads", "server=\"127.0.0.1\"", "nfs_version=\"4.1\"", "signature=\"nfs-io-waits-for-server\"") >= 3);
        Assert.True(Daemon.Sum(blocked, "nfswatch_blocked_threads", "fstype=\"nfs4\"", "server=\"127.0.0.1\"", "cause=\"server_not_responding\"") >= 3);
        Assert.Equal(1, Daemon.Sum(blocked, "nfswatch_nfs_mounts", "server=\"127.0.0.1\"", "nfs_version=\"4.1\""));
        Assert.True(Daemon.Sum(blocked, "nfswatch_nfs_rpc_timeouts_total", "server=\"127.0.0.1\"") + Daemon.Sum(blocked, "nfswatch_nfs_rpc_retransmissions_total", "server=\"127.0.0.1\"") >= 1,
            "the stopped server shows in the RPC counters");
        Assert.Contains("WHAT TO DO", run.Section("scan table"));
        Assert.Contains("BLOCKED in I/O: the kernel log says server 127.0.0.1 is not responding", run.Section("scan table"));
        string after = run.Section("metrics after");
        Assert.Equal(0, Daemon.Sum(after, "nfswatch_nfs_blocked_threads"));
        Assert.True(Daemon.Sum(after, "nfswatch_kernel_log_events_total", "event=\"server_ok\"", "server=\"127.0.0.1\"") >= 1);
    }

    // (d) NFSv3: a plain mount of the kernel NFS server works; a mount whose MOUNT call is never answered, and one
    // whose lockd start-up waits for an rpcbind that never answers, are reported hung.
    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("bookworm-bpf")]
    [InlineData("trixie")]
    public void NfsV3MountsThatHangInMntOrLockdUpAreReportedHung(string kernel)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, "nfsv3-mount");

        Assert.Equal("mounted", run.Fact("live.outcome"));
        Assert.Equal("hello", run.Fact("live.file"));

        Assert.Equal("hung", run.Fact("mnt.outcome"));
        var mnt = run.MountCall("scan json mnt", run.IntFact("mnt.tid"));
        Assert.True(mnt.GetProperty("hung").GetBoolean());
        Assert.Equal(k.Wchan("rpc_wait_bit_killable"), Str(mnt, "wchan"));
        Assert.Contains("nfs_mount", Frames(mnt));
        Assert.Equal(ToPathMount(run.StackFrames("mnt")), ToPathMount(Frames(mnt)));
        Assert.Equal("nfs3-mountd-not-answering", SignatureId(mnt));
        Assert.Equal(("nfs", "3", "127.0.0.3"), (Str(mnt, "fstype"), Str(mnt, "nfs_version"), Str(mnt, "server")));
        Assert.Equal("no_reply_from_server", Str(mnt, "cause"));

        Assert.Equal("hung", run.Fact("lockd.outcome"));
        var lockd = run.MountCall("scan json lockd", run.IntFact("lockd.tid"));
        Assert.True(lockd.GetProperty("hung").GetBoolean());
        Assert.Equal("D", lockd.GetProperty("state").GetString());
        Assert.Contains("lockd_up", Frames(lockd));
        Assert.Contains("nfs_start_lockd", Frames(lockd));
        Assert.Equal(ToPathMount(run.StackFrames("lockd")), ToPathMount(Frames(lockd)));
        Assert.Equal("nfs3-lockd-start-hang", SignatureId(lockd));
        Assert.Equal(("nfs", "3"), (Str(lockd, "fstype"), Str(lockd, "nfs_version")));
        // It holds nlmsvc_mutex and waits for this host's rpcbind (an RPC): alone here, it waits for no other thread.
        Assert.Equal(JsonValueKind.Null, lockd.GetProperty("waits_for").ValueKind);
        Assert.Equal("no_reply_from_server", Str(lockd, "cause"));
        Assert.Equal(0, run.IntFact("after.mount_threads"));
    }

    // The "-bpf" runs went through the BPF probe, and the others through procfs, every scan and daemon of them: the
    // same assertions above hold for both. The guest kernel has the BTF the probe needs.
    [Theory]
    [InlineData("bookworm", "no-answer", "scan json")]
    [InlineData("bookworm-bpf", "no-answer", "scan json")]
    [InlineData("bookworm", "head-of-line", "scan json")]
    [InlineData("bookworm-bpf", "head-of-line", "scan json")]
    [InlineData("bookworm-bpf", "head-of-line", "scan json after")]
    [InlineData("bookworm-bpf", "hard-mount", "scan json")]
    [InlineData("bookworm-bpf", "nfsv3-mount", "scan json mnt")]
    public void EachRunWatchesThroughTheProbeItAskedFor(string kernel, string scenario, string section)
    {
        var k = VmKernel.Of(kernel);
        var run = Boot(k, scenario);
        Assert.Equal(k.Probe, run.Fact("probe"));
        Assert.Equal("yes", run.Fact("btf"));
        var watching = run.Json(section).GetProperty("watching");
        Assert.True(k.Probe == watching.GetProperty("path").GetString(), $"{section} watched through {watching}");
        if (k.Probe == "bpf")
            Assert.Equal("mount calls from their system call tracepoints, blocked threads from a task iterator", watching.GetProperty("why").GetString());
        if (run.Sections.TryGetValue("daemon log", out string? log))
            Assert.Contains(k.Probe == "bpf" ? "Watching through bpf: mount calls" : "Watching through procfs (bpf: not used (--probe procfs))", log);
    }

    // A row of the `nfswatch scan` table: PID TID COMMAND mount D STUCK ROLE WCHAN ("-" for none in both).
    private static string TableRow(VmRun run, string role, string comm, string roleColumn, string wchan) =>
        $@"(?m)^\s*{run.Fact($"{role}.pid")}\s+{run.Fact($"{role}.tid")}\s+{Regex.Escape(comm)}\s+mount\s+D\s+\d+s\s+{Regex.Escape(roleColumn)}\s+{Regex.Escape(wchan)}\s";

    // The frames below path_mount are the same for every mount; the unwinder has been seen to leave out
    // do_syscall_64 on one read and not on another.
    private static List<string> ToPathMount(IEnumerable<string> frames)
    {
        var list = frames.ToList();
        int end = list.IndexOf("path_mount");
        Assert.True(end >= 0, $"no path_mount in {string.Join(" < ", list)}");
        return list[..(end + 1)];
    }

    // The frames strictly between two frames of a stack, innermost first.
    private static List<string> Between(List<string> frames, string inner, string outer)
    {
        int from = frames.IndexOf(inner), to = frames.IndexOf(outer);
        Assert.True(from >= 0 && to > from, $"no {inner} ... {outer} in {string.Join(" < ", frames)}");
        return frames[(from + 1)..to];
    }

    public static TheoryData<string, string> EveryScenario()
    {
        var data = new TheoryData<string, string>();
        foreach (string kernel in new[] { "bullseye", "bookworm", "trixie" })
            foreach (string scenario in new[] { "no-answer", "head-of-line", "hard-mount", "nfsv3-mount" })
                data.Add(kernel, scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryScenario))]
    public void EveryScanJsonInTheGuestMatchesThePublishedSchema(string kernel, string scenario)
    {
        var run = Boot(VmKernel.Of(kernel), scenario);
        var scans = run.Sections.Where(s => s.Key.StartsWith("scan json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(scans);
        foreach (var (name, text) in scans) ScanSchema.AssertValid(text, $"section '{name}' of {scenario} on {kernel}");
    }

    private static string? Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    private static string? SignatureId(JsonElement e) =>
        e.GetProperty("signature").ValueKind == JsonValueKind.Null ? null : e.GetProperty("signature").GetProperty("id").GetString();

    private static List<string> Frames(JsonElement call) => [.. call.GetProperty("stack").EnumerateArray().Select(f => f.GetString()!)];
}
