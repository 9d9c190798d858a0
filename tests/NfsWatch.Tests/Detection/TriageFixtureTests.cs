using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// `nfswatch scan` over fixture trees, end to end through the real binary and its isolated reader child:
/// what a person on call reads about each hang.
/// </summary>
public class TriageFixtureTests
{
    private static (JsonElement Json, string Table) Scan(string scenario, params string[] extra)
    {
        string[] args = ["scan", "--procfs", Fixtures.Proc(scenario), "--kmsg", "/dev/null", .. extra];
        var json = NfsWatchProcess.Run([.. args, "--json"]);
        var table = NfsWatchProcess.Run(args);
        Assert.True(json.ExitCode is 0 or 1, $"exit {json.ExitCode}: {json.Stderr}");
        return (JsonDocument.Parse(json.Stdout).RootElement.Clone(), table.Stdout);
    }

    private static JsonElement Thread(JsonElement root, int tid, string list = "mount_syscalls") =>
        Assert.Single(root.GetProperty(list).EnumerateArray(), t => t.GetProperty("tid").GetInt32() == tid);

    private static string? Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    [Fact]
    public void MountArgumentsAreReadFromTheCallAndExplainTheUnreachableServer()
    {
        var (json, table) = Scan("nfs4-helper");
        var t = Thread(json, 2100);

        Assert.Equal(("nfs4", "127.0.0.2:/", "/mnt/a"), (Str(t, "fstype"), Str(t, "source"), Str(t, "target")));
        Assert.Equal("vers=4.1,addr=127.0.0.2,clientaddr=127.0.0.1", Str(t, "options"));
        Assert.Equal(("4.1", "127.0.0.2"), (Str(t, "nfs_version"), Str(t, "server")));
        Assert.Equal("nfs-server-unreachable-at-mount", t.GetProperty("signature").GetProperty("id").GetString());
        Assert.Null(Str(t, "role"));
        Assert.True(json.GetProperty("probes").GetProperty("memory").GetBoolean());
        Assert.Contains("nfs4 127.0.0.2:/ on /mnt/a (NFS 4.1)", table);
        Assert.Contains("The mount holds up no other mount", table);
    }

    [Fact]
    public void DockerdVolumeMountTakesTheServerFromAddrAndNeverShowsTheSecret()
    {
        var (json, table) = Scan("dockerd-thread");
        var t = Thread(json, 3007);

        Assert.Equal((3000, "nfs4", ":/export"), (t.GetProperty("pid").GetInt32(), Str(t, "fstype"), Str(t, "source")));
        Assert.Equal(("4.1", "10.0.1.5"), (Str(t, "nfs_version"), Str(t, "server")));
        Assert.Equal("addr=10.0.1.5,nfsvers=4.1,password=***", Str(t, "options"));
        // It waits for a client being set up, but no such thread is in this tree: named as not found, no role.
        Assert.Null(Str(t, "role"));
        Assert.Equal(JsonValueKind.Null, t.GetProperty("waits_for").ValueKind);
        Assert.Equal("the initialisation of another NFS client", Str(t, "waits_on"));
        Assert.Contains("was not found", Str(t, "triage"));
        Assert.Equal("client_state", Str(t, "cause"));
        Assert.StartsWith("pid 3000 (dockerd) mounting 10.0.1.5 (:/export) waits for the initialisation of another NFS client; the thread holding it was not found",
            Str(Assert.Single(json.GetProperty("actions").EnumerateArray()), "summary"));
        Assert.Contains("WHAT TO DO\n  * pid 3000 (dockerd)", table.ReplaceLineEndings("\n"));
        Assert.Equal(("docker.service", null), (Str(t, "unit"), Str(t, "container_id")));
        Assert.DoesNotContain("hunter2", json.GetRawText());
        Assert.DoesNotContain("hunter2", table);
    }

    [Fact]
    public void AHelpersCommandLineStandsInWhenItsMemoryCannotBeRead()
    {
        var (json, _) = Scan("helper-cmdline");
        var t = Thread(json, 7100);

        Assert.Equal(("nfs4", "fs-12345678.efs.eu-west-1.amazonaws.com:/", "/mnt/efs"), (Str(t, "fstype"), Str(t, "source"), Str(t, "target")));
        Assert.Equal(("4.1", "fs-12345678.efs.eu-west-1.amazonaws.com"), (Str(t, "nfs_version"), Str(t, "server")));
    }

    [Fact]
    public void HeadOfLineBlockingNamesTheBlockerTheWaiterAndWhatToEnd()
    {
        var (json, table) = Scan("head-of-line");
        var blocker = Thread(json, 8100);
        var waiter = Thread(json, 8200);

        Assert.Equal(("blocker", "waiter"), (Str(blocker, "role"), Str(waiter, "role")));
        Assert.Equal("nfs4-clientid-not-answered", blocker.GetProperty("signature").GetProperty("id").GetString());
        Assert.Equal("nfs-client-init-queued", waiter.GetProperty("signature").GetProperty("id").GetString());
        var on = waiter.GetProperty("waits_for");
        Assert.Equal((8100, 8100, "the initialisation of the NFS client for 127.0.0.3"),
            (on.GetProperty("pid").GetInt32(), on.GetProperty("tid").GetInt32(), on.GetProperty("on").GetString()));
        Assert.Equal(JsonValueKind.Null, blocker.GetProperty("waits_for").ValueKind);
        Assert.Equal(8200, Assert.Single(blocker.GetProperty("waiters").EnumerateArray()).GetProperty("tid").GetInt32());
        Assert.Equal(("no_reply_from_server", "client_state"), (Str(blocker, "cause"), Str(waiter, "cause")));
        Assert.Contains("pid 8100", Str(waiter, "triage"));
        Assert.Contains("127.0.0.3", Str(waiter, "triage"));
        Assert.Contains("kill -9 8100", Str(blocker, "triage"));
        // One action for the chain, shared by both, and first in the document and the table.
        var action = Assert.Single(json.GetProperty("actions").EnumerateArray());
        Assert.Equal((8100, "kill -9 8100", "server 127.0.0.3", 1), (action.GetProperty("end").GetProperty("pid").GetInt32(),
            action.GetProperty("end").GetProperty("command").GetString(), Str(action, "fix"), action.GetProperty("releases").GetInt32()));
        Assert.Equal(Str(action, "summary"), Str(waiter.GetProperty("action"), "summary"));
        Assert.StartsWith("WHAT TO DO\n  * End pid 8100 (mount.nfs4): kill -9 8100.", table[table.IndexOf("WHAT TO DO", StringComparison.Ordinal)..].ReplaceLineEndings("\n"));
        Assert.Contains("and 1 thread waits behind it (the initialisation of the NFS client for 127.0.0.3): pid 8200 (mount.nfs4 mounting 127.0.0.1). Or fix server 127.0.0.3.",
            Str(action, "summary"));
        // Who owns them: the blocker is a transient unit, the waiter runs in an ECS task's container.
        Assert.Equal("run-u42.service", Str(blocker, "unit"));
        Assert.Equal("7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100", Str(waiter, "container_id"));
        Assert.Contains("owner: container 7d3f0c1e2b4a", table);
        // The parent `mount` waits in wait4 for its helper: not a mount call.
        Assert.DoesNotContain(json.GetProperty("mount_syscalls").EnumerateArray(), t => t.GetProperty("pid").GetInt32() == 8199);
    }

    [Fact]
    public void TheClientInitialisationDeadlockIsACycleAndTheKillableSideIsEnded()
    {
        var (json, table) = Scan("deadlock");
        var process1 = Thread(json, 8500);
        var process2 = Thread(json, 8600);
        var third = Thread(json, 8700);

        // Each waits for the other: 8500 for nfs_clid_init_mutex, 8600 for 8500's client.
        Assert.Equal((8600, "nfs_clid_init_mutex (NFSv4 server trunking discovery)"),
            (process1.GetProperty("waits_for").GetProperty("tid").GetInt32(), Str(process1.GetProperty("waits_for"), "on")));
        Assert.Equal((8500, "the initialisation of the NFS client for 10.0.3.7"),
            (process2.GetProperty("waits_for").GetProperty("tid").GetInt32(), Str(process2.GetProperty("waits_for"), "on")));
        Assert.Equal("nfs4-client-init-deadlock", process1.GetProperty("signature").GetProperty("id").GetString());
        // A mutex waiter cannot be killed; the client-initialisation wait can: 8600 is the one to end.
        Assert.Equal(("waiter", "blocker", "waiter"), (Str(process1, "role"), Str(process2, "role"), Str(third, "role")));
        var action = Assert.Single(json.GetProperty("actions").EnumerateArray());
        Assert.Equal(8600, action.GetProperty("end").GetProperty("pid").GetInt32());
        Assert.StartsWith("Deadlock: pid 8600 (mount.nfs), pid 8500 (mount.nfs) wait for each other", Str(action, "summary"));
        // The advice is the deadlock's (mount with nfsvers=4.0, upgrade), not the queued mount's.
        Assert.Contains("nfsvers=4.0", Str(action, "advice"));
        Assert.Contains("a deadlock", Str(process1, "triage"));
        Assert.Contains("kill -9 8600", table);
    }

    [Fact]
    public void AMountInAnotherNetworkNamespaceDoesNotWaitForTheHostsClient()
    {
        // NFS clients are listed per network namespace (struct nfs_net): the container's mount waits for a client
        // being set up in its own namespace, not for the host's blocker.
        var (json, _) = Scan("head-of-line-netns");
        var waiter = Thread(json, 8200);

        Assert.Equal(JsonValueKind.Null, waiter.GetProperty("waits_for").ValueKind);
        Assert.Equal("the initialisation of another NFS client", Str(waiter, "waits_on"));
        Assert.Null(Str(Thread(json, 8100), "role"));
    }

    [Fact]
    public void AHardMountStatIsNfsBlockedOnTheMountItsPathIsOn()
    {
        var (json, table) = Scan("hard-mount");
        var t = Thread(json, 9000, "nfs_blocked");

        Assert.Equal(("newfstatat", "D", true), (Str(t, "syscall"), Str(t, "state"), t.GetProperty("hung").GetBoolean()));
        Assert.Equal(("nfs4", "127.0.0.1:/srv", "/mnt/b"), (Str(t, "fstype"), Str(t, "source"), Str(t, "target")));
        Assert.Equal(("4.1", "127.0.0.1"), (Str(t, "nfs_version"), Str(t, "server")));
        Assert.Equal("nfs-io-waits-for-server", t.GetProperty("signature").GetProperty("id").GetString());
        Assert.Empty(json.GetProperty("mount_syscalls").EnumerateArray());

        var mount = Assert.Single(json.GetProperty("nfs_mounts").EnumerateArray());
        Assert.Equal(("127.0.0.1", "4.1", 7), (Str(mount, "server"), Str(mount, "nfs_version"), mount.GetProperty("rpc_retransmissions").GetInt32()));
        Assert.Equal("no_reply_from_server", Str(t, "cause"));
        // Nothing in the kernel log says the server is down: the heading says only what the evidence says.
        Assert.Contains("1 thread is BLOCKED waiting for a reply from server 127.0.0.1 (nothing says it is down yet)", table);
        Assert.Contains("pid 9000 (stat) on /mnt/b: I/O on an NFS mount waits for its server", table);
    }

    [Fact]
    public void AProcessFlushingAtExitIsTiedToTheHostsOnlyNfsMountAndNamesTheSleepItWasKilledIn()
    {
        using var dir = new TempTree();
        string kmsg = Path.Combine(dir.Path, "kmsg");
        File.WriteAllText(kmsg, "4,901,912345678,-;nfs: server 127.0.0.1 not responding, timed out\n");
        var run = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("exiting"), "--kmsg", kmsg]);
        var t = Thread(JsonDocument.Parse(run.Stdout).RootElement, 9300, "nfs_blocked");

        // Its own mount table is gone with its namespaces; the host's has one NFS mount, so that is the server.
        Assert.Equal(("nfs4", "4.1", "127.0.0.1"), (Str(t, "fstype"), Str(t, "nfs_version"), Str(t, "server")));
        Assert.Equal("/mnt/c", Str(t, "target"));
        Assert.Equal("clock_nanosleep", Str(t, "syscall"));
        Assert.Equal("server_not_responding", Str(t, "cause"));
        Assert.Equal("server 127.0.0.1", Str(t.GetProperty("action"), "fix"));
    }

    [Fact]
    public void KernelLogLinesAreLinkedToTheThreadsOfTheirServer()
    {
        using var dir = new TempTree();
        string kmsg = Path.Combine(dir.Path, "kmsg");
        File.WriteAllText(kmsg, "4,901,912345678,-;nfs: server 127.0.0.1 not responding, still trying\n" +
                                " SUBSYSTEM=nfs\n" +
                                "6,902,912345999,-;unrelated line\n");
        var have = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("hard-mount"), "--kmsg", kmsg]);
        var t = Thread(JsonDocument.Parse(have.Stdout).RootElement, 9000, "nfs_blocked");

        var line = Assert.Single(t.GetProperty("kernel_log").EnumerateArray());
        Assert.Contains("nfs: server 127.0.0.1 not responding", line.GetString());
        // The kernel said so: now the cause and the heading say the server is not responding.
        Assert.Equal("server_not_responding", Str(t, "cause"));
        var table = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("hard-mount"), "--kmsg", kmsg]);
        Assert.Contains("1 thread is BLOCKED in I/O: the kernel log says server 127.0.0.1 is not responding", table.Stdout);
        Assert.Equal(1, table.ExitCode);
    }

    [Fact]
    public void AnOperatorSignatureIsTriedBeforeTheDefaults()
    {
        using var dir = new TempTree();
        string file = Path.Combine(dir.Path, "signatures.json");
        File.WriteAllText(file, """
            { "signatures": [ {
                "id": "our-efs-outage", "title": "EFS mount target down in this AZ", "reference": "INC-1234",
                "remediation": "Fail over to the other AZ.", "applies_to": "mount",
                "stacks": [ { "frames": ["rpc_wait_bit_killable", "rpc_create*"] } ] } ] }
            """);
        var (json, _) = Scan("nfs4-helper", "--signatures", file);
        Assert.Equal("our-efs-outage", Thread(json, 2100).GetProperty("signature").GetProperty("id").GetString());
    }

    [Fact]
    public void ABadSignatureFileIsRefusedNamingTheField()
    {
        using var dir = new TempTree();
        string file = Path.Combine(dir.Path, "signatures.json");
        File.WriteAllText(file, """{ "signatures": [ { "id": "x", "title": "t", "reference": "r", "remediation": "m", "stacks": [ { "frames": ["a"], "role": "boss" } ] } ] }""");
        var have = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("nfs4-helper"), "--signatures", file]);
        Assert.Equal(2, have.ExitCode);
        Assert.Contains("signature #1 (\"x\"): stack #1: \"role\" is \"boss\"", have.Stderr);
    }
}
