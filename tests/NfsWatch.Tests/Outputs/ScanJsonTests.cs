using System.Text.Json;
using NfsWatch.Outputs.Cli;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Outputs;

/// <summary>The `scan --json` document keeps the contract's shape: every field present, unknowns null.</summary>
public class ScanJsonTests
{
    private static readonly string[] CallFields =
    [
        "pid", "tid", "comm", "syscall", "state", "wchan", "stuck_seconds", "hung", "stack", "fstype", "source", "target",
        "options", "nfs_version", "server", "signature", "role", "waits_for", "container_id", "unit", "ecs_task",
        // Extensions beyond the contract:
        "ecs_task_family", "kernel_thread", "waits_on", "waiters", "cause", "action", "triage", "kernel_log",
    ];

    private static JsonElement Render(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void EveryContractFieldIsPresentAndUnknownsAreNull()
    {
        var snapshot = Snapshots.Of([Snapshots.Call(4711, 4713, 342.5, hung: true, comm: "dockerd")]);
        var have = Render(s => ScanJson.Write(s, snapshot, "0.1.0"));

        Assert.Equal("6.1.0-56-amd64", have.GetProperty("kernel").GetProperty("release").GetString());
        Assert.Equal("x86_64", have.GetProperty("kernel").GetProperty("machine").GetString());
        Assert.Equal(30, have.GetProperty("threshold_seconds").GetDouble());
        Assert.Equal(1834, have.GetProperty("scanned_threads").GetInt32());
        var call = Assert.Single(have.GetProperty("mount_syscalls").EnumerateArray());
        Assert.Equal(CallFields, call.EnumerateObject().Select(p => p.Name));
        Assert.Equal((4711, 4713, "dockerd", "D", 342.5, true), (call.GetProperty("pid").GetInt32(), call.GetProperty("tid").GetInt32(),
            call.GetProperty("comm").GetString(), call.GetProperty("state").GetString(), call.GetProperty("stuck_seconds").GetDouble(),
            call.GetProperty("hung").GetBoolean()));
        Assert.Equal(["rpc_wait_bit_killable", "__rpc_execute", "__x64_sys_mount"], call.GetProperty("stack").EnumerateArray().Select(f => f.GetString()));
        foreach (string field in new[] { "fstype", "source", "target", "options", "nfs_version", "server", "signature", "role", "waits_for", "container_id", "unit", "ecs_task", "action" })
            Assert.Equal(JsonValueKind.Null, call.GetProperty(field).ValueKind);
        Assert.Equal(0, have.GetProperty("nfs_blocked").GetArrayLength());
        Assert.False(have.GetProperty("probes").GetProperty("stack").GetBoolean());
    }

    [Fact]
    public void TheTableNamesTheHungThreadAndItsStack()
    {
        var snapshot = Snapshots.Of([Snapshots.Call(4711, 4713, 342.5, hung: true, comm: "dockerd"), Snapshots.Call(5000, 5000, 2, hung: false)]);
        string have = ScanTable.Render(snapshot, "0.1.0");

        Assert.Contains("1 thread is HUNG in a mount system call (for 5m42s)", have);
        Assert.Matches(@"4711\s+4713\s+dockerd\s+mount\s+D\s+5m42s\s+-\s+rpc_wait_bit_killable", have);
        Assert.Contains("kernel stack: rpc_wait_bit_killable < __rpc_execute < __x64_sys_mount", have);
        Assert.Contains("1 thread is inside a mount system call, not yet past the threshold", have);
        Assert.Contains("Probe 'stack' refused for 2 threads, such as pid 1: kernel stacks are not shown", have);
    }

    [Fact]
    public void TheBinaryPrintsTheFixtureAsJsonAndExitsOneWhenHung()
    {
        var have = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("nfs4-helper")]);

        Assert.Equal(1, have.ExitCode);
        var root = JsonDocument.Parse(have.Stdout).RootElement;
        var call = Assert.Single(root.GetProperty("mount_syscalls").EnumerateArray());
        Assert.Equal((2100, "mount.nfs4"), (call.GetProperty("tid").GetInt32(), call.GetProperty("comm").GetString()));
        Assert.Equal("6.1.0-56-amd64", root.GetProperty("kernel").GetProperty("release").GetString());
    }

    [Fact]
    public void TheBinaryExitsZeroWhenNothingHangs()
    {
        var have = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("vanished")]);
        Assert.Equal(0, have.ExitCode);
        Assert.Contains("No thread is inside a mount system call", have.Stdout);
    }
}
