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

    public static TheoryData<string, string> Tables => new()
    {
        // The kernel's own headers (linux-libc-dev), a source independent of NfsWatch's tables.
        { "x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h" },
        { "aarch64", "/usr/include/asm-generic/unistd.h" },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void IdleWaitAndMountNumbersAreTheKernelHeadersOwn(string machine, string header)
    {
        Assert.True(File.Exists(header), $"{header} is missing: install linux-libc-dev (tests/run-all does)");
        var numbers = new Dictionary<string, int>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(header), @"(?m)^#define __NR_(\w+)\s+(\d+)\s*$"))
            numbers.TryAdd(m.Groups[1].Value, int.Parse(m.Groups[2].Value));
        var syscalls = MountSyscalls.ForMachine(machine);

        Assert.NotEmpty(syscalls.IdleWaits);
        Assert.All(syscalls.IdleWaits, w => Assert.Equal((w.Name, numbers[w.Name]), (w.Name, w.Number)));
        Assert.All(syscalls.Calls, c => Assert.Equal((c.Name, numbers[c.Name]), (c.Name, c.Number)));
        // Nothing that touches files is among them.
        string[] fileCalls = ["read", "write", "openat", "close", "newfstatat", "fstat", "getdents64", "fsync", "exit_group", "execve"];
        Assert.All(fileCalls.Where(numbers.ContainsKey), name => Assert.False(syscalls.IsIdleWait(numbers[name], 0x7ffd2a1c1ed8), name));
        Assert.All(syscalls.IdleWaits, w => Assert.True(syscalls.IsIdleWait(w.Number, 0x7ffd2a1c1ed8), w.Name));
    }

    [Fact]
    public void A32BitTaskIsNeverSkipped()
    {
        // On arm64, an arm32 task's write(2) is number 4, io_getevents in the 64-bit table; its stack is below 4 GiB.
        var arm64 = MountSyscalls.ForMachine("aarch64");
        Assert.True(arm64.IsIdleWait(4, 0xffff_c000_1000));
        Assert.False(arm64.IsIdleWait(4, 0xbef0_1000));
        // On x86_64, an i386 task's getdents64 is 220, semtimedop in the 64-bit table.
        Assert.False(MountSyscalls.ForMachine("x86_64").IsIdleWait(220, 0xffd0_1000));
    }

    [Theory]
    [InlineData("i686")]
    [InlineData("armv7l")]
    [InlineData("s390x")]
    [InlineData("riscv64")] // reports a stale register as the number outside a system call
    [InlineData("loongarch64")]
    public void MachinesWithoutAKnownTableSkipNothing(string machine)
    {
        var syscalls = MountSyscalls.ForMachine(machine);
        Assert.Empty(syscalls.IdleWaits);
        Assert.All(Enumerable.Range(-1, 500), n => Assert.False(syscalls.IsIdleWait(n, 0x7ffd2a1c1ed8)));
    }

    [Fact]
    public void TheStatOfAThreadInAnIdleWaitIsNotRead()
    {
        // "malformed" has a thread (5001) whose stat line is garbage; in read(2) that is a scan error. Here it is
        // a second thread of process 5000 (a leader's stat is always read: it tells whether the process exits).
        using var tree = Fixtures.CopyToTemp("malformed");
        Directory.Move(Path.Combine(tree.Path, "5001", "task", "5001"), Path.Combine(tree.Path, "5000", "task", "5001"));
        Directory.Delete(Path.Combine(tree.Path, "5001"), recursive: true);
        string syscall = Path.Combine(tree.Path, "5000", "task", "5001", "syscall");
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

        var blocked = Assert.Single(have.Blocked);
        Assert.Equal((77, "kworker/u4:3", 'D'), (blocked.Tid, blocked.Comm, blocked.State));
        Assert.Null(blocked.Syscall);
    }

    [Theory]
    [InlineData(Read, "S", 0x00400100u, true)] // read(2): not an idle wait
    [InlineData(Futex, "S", 0x00400100u, false)] // the trade-off: a futex wait faulting on an NFS page is not seen
    [InlineData(Futex, "S", 0x00400104u, true)] // PF_EXITING: closing files on the way out, the wait still showing
    [InlineData(Futex, "D", 0x00400100u, true)] // the leader in D (a core dump written to NFS)
    [InlineData(Futex, "Z", 0x00400104u, true)] // the leader gone already, another thread still closing the files
    [InlineData("202 0xc000100148 0x80 0x0 0x0 0x0 0x0 0xffd01000 0x46f023", "S", 0x00400100u, true)] // a 32-bit task: 202 is not futex
    public void AThreadBlockedInNfsCodeIsReportedUnlessItIsInAnIdleWaitOfALiveProcess(string syscall, string leaderState, uint leaderFlags, bool reported)
    {
        // hard-mount: thread 9000 in D, in NFS code. Here it is a second thread of process 8999, whose leader
        // sleeps in epoll_wait (or is exiting).
        using var tree = Fixtures.CopyToTemp("hard-mount");
        string process = Path.Combine(tree.Path, "8999");
        Directory.CreateDirectory(Path.Combine(process, "task"));
        Directory.Move(Path.Combine(tree.Path, "9000", "task", "9000"), Path.Combine(process, "task", "9000"));
        foreach (string link in new[] { "cwd", "mountinfo" })
            if (Path.Exists(Path.Combine(tree.Path, "9000", link))) File.Move(Path.Combine(tree.Path, "9000", link), Path.Combine(process, link));
        Directory.Delete(Path.Combine(tree.Path, "9000"), recursive: true);
        string leader = Path.Combine(process, "task", "8999");
        Directory.CreateDirectory(leader);
        File.WriteAllText(Path.Combine(leader, "stat"),
            $"8999 (app) {leaderState} 1 8999 8999 0 -1 {leaderFlags} 120 0 0 0 1 2 0 0 20 0 2 0 90000 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(leader, "syscall"), "232 0x4 0x7ffd2a1c1f00 0x100 0xffffffff 0x0 0x0 0x7ffd2a1c1ed8 0x7f3b1c2e6d46\n");
        File.WriteAllText(Path.Combine(process, "task", "9000", "syscall"), syscall + "\n");

        var have = Scan(tree.Path);

        Assert.Equal(reported, have.Blocked.Any(t => t.Tid == 9000));
        Assert.Empty(have.Errors);
    }
}
