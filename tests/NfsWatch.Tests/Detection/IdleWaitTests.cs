using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// The scanner reads one file (syscall) of a thread asleep in an idle wait or running, and the stat file of
/// the others; what it reports must not change for that. Trees are copies of the fixtures, changed per test.
/// </summary>
public class IdleWaitTests
{
    private const string Futex = "202 0xc000100148 0x80 0x0 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x46f023";
    private const string Read = "0 0x3 0x7ffd2a1c0000 0x1000 0x0 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46";
    // What a kernel thread's syscall file reads on Linux 5.x and 6.x: system call 0, every register zero.
    private const string KernelThread = "0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0";

    private static ScanSnapshot Scan(string root) => new MountScanner(new ProcFs(root), TimeSpan.FromSeconds(30)).Scan();

    [Theory]
    [InlineData("x86_64", new[] { 202, 232, 281, 7, 23, 35, 230, 34, 61, 45, 47 }, new[] { 165, 166, 428, 0, 1, 4, 262, 74, 231, 59, 3, -1 })]
    [InlineData("aarch64", new[] { 98, 22, 73, 72, 101, 115, 260, 207, 212 }, new[] { 40, 39, 428, 63, 64, 79, 82, 94, 57, 221 })]
    public void IdleWaitsAreTheMachinesOwnNumbers(string machine, int[] idle, int[] notIdle)
    {
        var syscalls = MountSyscalls.ForMachine(machine);
        Assert.All(idle, n => Assert.True(syscalls.IsIdleWait(n), $"{machine}: {n} should be an idle wait"));
        // Mount calls, file system calls (read, write, stat, fsync, exit_group, execve, close) and "not in a call".
        Assert.All(notIdle, n => Assert.False(syscalls.IsIdleWait(n), $"{machine}: {n} is not an idle wait"));
    }

    [Theory]
    [InlineData("i686")]
    [InlineData("armv7l")]
    [InlineData("s390x")]
    public void MachinesWithoutAKnownTableSkipNothing(string machine)
    {
        var syscalls = MountSyscalls.ForMachine(machine);
        Assert.All(Enumerable.Range(-1, 500), n => Assert.False(syscalls.IsIdleWait(n)));
    }

    [Fact]
    public void TheStatOfAThreadInAnIdleWaitIsNotRead()
    {
        // "malformed" has a thread (5001) whose stat line is garbage; in read(2) that is a scan error.
        using var tree = Fixtures.CopyToTemp("malformed");
        string syscall = Path.Combine(tree.Path, "5001", "task", "5001", "syscall");
        Assert.Equal(1, Scan(tree.Path).Errors.GetValueOrDefault("stat"));

        // The same thread asleep in futex(2): its stat is never opened, so nothing fails.
        File.WriteAllText(syscall, Futex + "\n");
        Assert.Equal(0, Scan(tree.Path).Errors.GetValueOrDefault("stat"));

        // Running: the same.
        File.WriteAllText(syscall, "running\n");
        Assert.Equal(0, Scan(tree.Path).Errors.GetValueOrDefault("stat"));
    }

    [Fact]
    public void AKernelThreadBlockedInNfsCodeIsStillReported()
    {
        // A kworker in D, flushing pages to a dead NFS server; its syscall file is a kernel thread's zeros.
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        string dir = Path.Combine(tree.Path, "77", "task", "77");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stat"),
            "77 (kworker/u4:3) D 2 0 0 0 -1 69238880 0 0 0 0 0 1 0 0 20 0 1 0 500 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(dir, "syscall"), KernelThread + "\n");
        File.WriteAllText(Path.Combine(dir, "wchan"), "rpc_wait_bit_killable");
        File.WriteAllText(Path.Combine(dir, "stack"),
            "[<0>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n[<0>] __rpc_execute+0x12e/0x460 [sunrpc]\n[<0>] nfs_writepages+0x150/0x240 [nfs]\n" +
            "[<0>] do_writepages+0xd0/0x1d0\n[<0>] __writeback_single_inode+0x41/0x360\n[<0>] worker_thread+0x266/0x3a0\n[<0>] kthread+0xe8/0x120\n");
        File.WriteAllText(Path.Combine(dir, "sched"), "kworker/u4:3 (77, #threads: 1)\n---\nse.exec_start : 700000.000000\n");

        var have = Scan(tree.Path);

        var blocked = Assert.Single(have.NfsBlocked);
        Assert.Equal((77, "kworker/u4:3", 'D'), (blocked.Tid, blocked.Comm, blocked.State));
        Assert.Null(blocked.Syscall);
    }

    [Fact]
    public void AThreadInDWithAnNfsStackOutsideAnIdleWaitIsReported()
    {
        // The control for the test above: a user thread in read(2), blocked in NFS code, is read and reported.
        using var tree = Fixtures.CopyToTemp("hard-mount");
        Assert.Single(Scan(tree.Path).NfsBlocked);
        File.WriteAllText(Path.Combine(tree.Path, "9000", "task", "9000", "syscall"), Read + "\n");
        var blocked = Assert.Single(Scan(tree.Path).NfsBlocked);
        Assert.Equal("read", blocked.Syscall);
    }
}
