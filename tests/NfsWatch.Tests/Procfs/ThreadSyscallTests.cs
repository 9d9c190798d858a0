using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/PID/task/TID/syscall: "running", "-1 sp pc" or "NR a1..a6 sp pc" (hex).</summary>
public class ThreadSyscallTests
{
    [Theory]
    [InlineData("running")]
    [InlineData("running\n")]
    [InlineData("  running  \n")]
    [InlineData("running 0x1 garbage")]   // only the first token decides
    public void TryParse_Running(string text)
    {
        Assert.True(ThreadSyscall.TryParse(ProcText.Latin1(text), out var have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(SyscallState.Running, have.State);
        Assert.Equal(-1, have.Number);
        Assert.Equal(0ul, have.StackPointer);
        Assert.Equal(0ul, have.ProgramCounter);
        AssertArgs(have, 0, 0, 0, 0, 0, 0);
    }

    [Theory]
    [InlineData("-1 0x7ffc1a2b3c40 0x7f60c2547e5a\n", 0x7ffc1a2b3c40ul, 0x7f60c2547e5aul)]
    [InlineData("-1 0x7ffc1a2b3c40 0x7f60c2547e5a", 0x7ffc1a2b3c40ul, 0x7f60c2547e5aul)]
    [InlineData("-1 0x0 0x0\n", 0ul, 0ul)]
    [InlineData("-1 0xffffffffffffffff 0XFFFFFFFFFFFFFFFF\n", ulong.MaxValue, ulong.MaxValue)]
    [InlineData("-1 0xABCdef 0x1\n", 0xabcdeful, 1ul)]
    public void TryParse_NotInSyscall(string text, ulong wantSp, ulong wantPc)
    {
        Assert.True(ThreadSyscall.TryParse(ProcText.Latin1(text), out var have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(SyscallState.NotInSyscall, have.State);
        Assert.Equal(-1, have.Number);
        Assert.Equal(wantSp, have.StackPointer);
        Assert.Equal(wantPc, have.ProgramCounter);
        AssertArgs(have, 0, 0, 0, 0, 0, 0);
    }

    public static TheoryData<string, int, ulong[], ulong, ulong> InSyscallLines => new()
    {
        // mount(2) blocked on a hung FUSE mount (x86_64 165): source, target, fstype, flags, data.
        {
            "165 0x558e729491e0 0x558e72948160 0x0 0x1000 0x0 0x73 0x7f60c2439ec8 0x7f60c2547e5a",
            165, [0x558e729491e0, 0x558e72948160, 0x0, 0x1000, 0x0, 0x73], 0x7f60c2439ec8, 0x7f60c2547e5a
        },
        {
            "165 0x558e729491e0 0x558e72948160 0x0 0x1000 0x0 0x73 0x7f60c2439ec8 0x7f60c2547e5a\n",
            165, [0x558e729491e0, 0x558e72948160, 0x0, 0x1000, 0x0, 0x73], 0x7f60c2439ec8, 0x7f60c2547e5a
        },
        // This machine: `cat /proc/self/syscall` (read(2) = 0 on x86_64).
        {
            "0 0x3 0x7f1a8a2b6000 0x20000 0x7f1a8a349b60 0xffffffff 0x0 0x7ffeeaf79fc8 0x7f1a8a4322ad\n",
            0, [0x3, 0x7f1a8a2b6000, 0x20000, 0x7f1a8a349b60, 0xffffffff, 0x0], 0x7ffeeaf79fc8, 0x7f1a8a4322ad
        },
        // statx (332) on a hard NFS mount; arm64 mount (40).
        {
            "332 0xffffff9c 0x7ffd4b1c2e70 0x900 0xfff 0x7ffd4b1c2d80 0x0 0x7ffd4b1c2d58 0x7f3e1c8f2a9e\n",
            332, [0xffffff9c, 0x7ffd4b1c2e70, 0x900, 0xfff, 0x7ffd4b1c2d80, 0x0], 0x7ffd4b1c2d58, 0x7f3e1c8f2a9e
        },
        {
            "40 0xaaaad5e0f2a0 0xaaaad5e0f2c0 0xaaaad5e0f2e0 0x0 0xaaaad5e10000 0x0 0xffffd2a1b3c0 0xffff9a8b7c6c\n",
            40, [0xaaaad5e0f2a0, 0xaaaad5e0f2c0, 0xaaaad5e0f2e0, 0x0, 0xaaaad5e10000, 0x0], 0xffffd2a1b3c0, 0xffff9a8b7c6c
        },
        // Every argument at its widest; extra tokens after pc are ignored.
        {
            "442 0xffffffffffffffff 0xffffffffffffffff 0xffffffffffffffff 0xffffffffffffffff 0xffffffffffffffff 0xffffffffffffffff 0x1 0x2 extra\n",
            442, [ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue], 1, 2
        },
        // Separated by tabs and several spaces.
        {
            "431\t0x1  0x2\t\t0x3 0x4 0x5 0x6   0x7 0x8",
            431, [1, 2, 3, 4, 5, 6], 7, 8
        },
    };

    [Theory]
    [MemberData(nameof(InSyscallLines))]
    public void TryParse_InSyscall(string text, int wantNumber, ulong[] wantArgs, ulong wantSp, ulong wantPc)
    {
        Assert.True(ThreadSyscall.TryParse(ProcText.Latin1(text), out var have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(SyscallState.InSyscall, have.State);
        Assert.Equal(wantNumber, have.Number);
        AssertArgs(have, wantArgs);
        Assert.Equal(wantSp, have.StackPointer);
        Assert.Equal(wantPc, have.ProgramCounter);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("\n", "empty")]
    [InlineData("   \t ", "empty")]
    [InlineData("\0\0", "empty")]
    [InlineData("garbage", "bad system call number")]
    [InlineData("Running", "bad system call number")]
    [InlineData("running2", "bad system call number")]
    [InlineData("0x165 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad system call number")]
    [InlineData("16.5 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad system call number")]
    [InlineData("-2 0x7ffc1a2b3c40 0x7f60c2547e5a", "bad system call number")]
    [InlineData("-100 0x1 0x2", "bad system call number")]
    [InlineData("99999999999 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad system call number")]
    [InlineData("165", "bad or missing argument 1")]
    [InlineData("165\n", "bad or missing argument 1")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5", "bad or missing argument 6")]
    [InlineData("165 1 2 3 4 5 6 7 8", "bad or missing argument 1")]
    [InlineData("165 0x1 0x2 3 0x4 0x5 0x6 0x7 0x8", "bad or missing argument 3")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5 0xZZ 0x7 0x8", "bad or missing argument 6")]
    [InlineData("165 0x 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad or missing argument 1")]
    [InlineData("165 0x1g 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad or missing argument 1")]
    [InlineData("165 -0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad or missing argument 1")]
    [InlineData("165 0x10000000000000000 0x2 0x3 0x4 0x5 0x6 0x7 0x8", "bad or missing argument 1")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5 0x6", "missing stack or instruction pointer")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5 0x6 0x7", "missing stack or instruction pointer")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5 0x6 0x7 8", "missing stack or instruction pointer")]
    [InlineData("165 0x1 0x2 0x3 0x4 0x5 0x6 sp pc", "missing stack or instruction pointer")]
    [InlineData("-1", "missing stack or instruction pointer")]
    [InlineData("-1 0x7ffc1a2b3c40", "missing stack or instruction pointer")]
    [InlineData("-1 0x7ffc1a2b3c40 pc", "missing stack or instruction pointer")]
    public void TryParse_Failures(string text, string wantProblem)
    {
        var bytes = ProcText.Latin1(text);
        Assert.False(ThreadSyscall.TryParse(bytes, out var have, out string? error));
        Assert.Equal(default, have.State);
        Assert.Equal(0, have.Number);
        Assert.NotNull(error);
        Assert.StartsWith("syscall: ", error);
        Assert.Contains(wantProblem, error);
        Assert.EndsWith(ParseError.Quote(bytes), error);
        if (text.Trim().Length > 0 && text.All(c => c is >= ' ' and < '\x7f' or '\n')) Assert.Contains(text.Trim(), error);
    }

    [Fact]
    public void TryParse_HostileInput_NeverThrows()
    {
        byte[][] seeds =
        [
            ProcText.Latin1("165 0x558e729491e0 0x558e72948160 0x0 0x1000 0x0 0x73 0x7f60c2439ec8 0x7f60c2547e5a\n"),
            ProcText.Latin1("-1 0x7ffc1a2b3c40 0x7f60c2547e5a\n"),
            ProcText.Latin1("running\n"),
        ];
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(seeds), input =>
        {
            bool ok = ThreadSyscall.TryParse(input, out var have, out string? error);
            HostileInputs.AssertContract(ok, error, "syscall");
            if (ok)
            {
                Assert.True(have.Number >= -1);
                Assert.Equal(have.State == SyscallState.InSyscall, have.Number >= 0);
            }
        });
    }

    private static void AssertArgs(ThreadSyscall have, params ulong[] want)
    {
        var args = have.Args;
        Assert.Equal(want, ((ReadOnlySpan<ulong>)args).ToArray());
    }
}
