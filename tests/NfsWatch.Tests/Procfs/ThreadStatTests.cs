using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/PID/task/TID/stat: the command name between the first '(' and the last ')', then fields 3, 4, 9, 22.</summary>
public class ThreadStatTests
{
    // This machine (6.18): `cat /proc/self/stat`.
    private const string RealCatLine =
        "3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 52145 3133440 389 18446744073709551615 " +
        "94254252077056 94254252096937 140734757267520 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94254252112944 94254252114560 " +
        "94254617559040 140734757276131 140734757276151 140734757276151 140734757277675 0\n";

    // This machine: /proc/2/stat (kthreadd, flags 2129984 = 0x208040 includes PF_KTHREAD).
    private const string RealKthreaddLine =
        "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0 18446744073709551615 0 0 0 0 0 0 0 " +
        "2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    // This machine: a copy of sleep(1) named "a) b (c", as the kernel printed it.
    private const string RealParenLine =
        "3833 (a) b (c) S 3832 3822 3137 0 -1 4194304 127 0 0 0 0 0 0 0 20 0 1 0 55823 2990080 411 18446744073709551615 " +
        "94559820283904 94559820301833 140728082150000 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94559820315920 94559820317184 " +
        "94560026050560 140728082155981 140728082156005 140728082156005 140728082157538 0\n";

    // This machine: a workqueue worker, whose name proc extends past TASK_COMM_LEN.
    private const string RealKworkerLine =
        "12 (kworker/u8:0-events_unbound) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0 18446744073709551615 " +
        "0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    public static TheoryData<string, string, char, int, uint, ulong, bool> RealLines => new()
    {
        { RealCatLine, "cat", 'R', 3551, 4194304, 52145, false },
        { RealKthreaddLine, "kthreadd", 'S', 0, 2129984, 24, true },
        { RealParenLine, "a) b (c", 'S', 3832, 4194304, 55823, false },
        { RealKworkerLine, "kworker/u8:0-events_unbound", 'I', 2, 69238880, 24, true },
    };

    [Theory]
    [MemberData(nameof(RealLines))]
    public void TryParse_RealLines(string line, string wantComm, char wantState, int wantPpid, uint wantFlags,
        ulong wantStart, bool wantKernelThread)
    {
        var bytes = ProcText.Latin1(line);
        Assert.True(ThreadStat.TryParse(bytes, out var have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(wantComm, have.Comm(bytes));
        Assert.Equal(wantState, have.State);
        Assert.Equal(wantPpid, have.ParentPid);
        Assert.Equal(wantFlags, have.Flags);
        Assert.Equal(wantStart, have.StartTimeTicks);
        Assert.Equal(wantKernelThread, have.IsKernelThread);
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("(sd-pam)")]
    [InlineData("a) b (c")]
    [InlineData("dotnet (with (parens)) sp(a)ce")]
    [InlineData("a)))b")]
    [InlineData("a(((b")]
    [InlineData("JetPool (S) Reg")]
    [InlineData(".NET TP Worker")]
    [InlineData("Thread Pool  Worker")]
    [InlineData(" ")]
    [InlineData("")]
    [InlineData("(")]
    [InlineData(")")]
    [InlineData("()")]
    [InlineData(")(")]
    [InlineData(") R 1 2 3")]                // a name that imitates the fields after it
    [InlineData("x) Z 99 1 1 1 -1 2097152")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("ünïcödé 名前")]
    [InlineData("kworker/u8:0-events_unbound")]
    [InlineData("se.exec_start")]
    public void TryParse_CommNames(string wantComm)
    {
        var line = ProcText.StatLine(wantComm, state: "D", ppid: "4242", flags: "1077936448", startTime: "987654321");
        Assert.True(ThreadStat.TryParse(line, out var have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(wantComm, have.Comm(line));
        Assert.Equal('D', have.State);
        Assert.Equal(4242, have.ParentPid);
        Assert.Equal(1077936448u, have.Flags);
        Assert.Equal(987654321ul, have.StartTimeTicks);
        Assert.False(have.IsKernelThread);
    }

    [Fact]
    public void TryParse_CommRangeSelectsTheRawBytes()
    {
        var line = ProcText.StatLine("JetPool (S) Reg");
        Assert.True(ThreadStat.TryParse(line, out var have, out _));
        Assert.True(line.AsSpan()[have.CommRange].SequenceEqual("JetPool (S) Reg"u8));
        Assert.Equal(6, have.CommRange.Start.GetOffset(line.Length)); // after "3553 ("
    }

    [Fact]
    public void TryParse_CommWithInvalidUtf8()
    {
        byte[] comm = [(byte)'f', 0xff, 0xfe, (byte)'o', 0xc3, (byte)')', 0xed, 0xa0, 0x80];
        var line = ProcText.StatLine(comm);
        Assert.True(ThreadStat.TryParse(line, out var have, out string? error), error);
        Assert.True(line.AsSpan()[have.CommRange].SequenceEqual(comm));
        Assert.Equal(Encoding.UTF8.GetString(comm), have.Comm(line));
        Assert.Contains('\uFFFD', have.Comm(line));
        Assert.Equal('S', have.State);
        Assert.Equal(52145ul, have.StartTimeTicks);
    }

    [Fact]
    public void TryParse_CommWithNul()
    {
        byte[] comm = [(byte)'a', 0, (byte)'b'];
        var line = ProcText.StatLine(comm);
        Assert.True(ThreadStat.TryParse(line, out var have, out _));
        Assert.Equal("a\0b", have.Comm(line));
    }

    [Theory]
    [InlineData("R")]
    [InlineData("S")]
    [InlineData("D")]
    [InlineData("Z")]
    [InlineData("T")]
    [InlineData("t")]
    [InlineData("X")]
    [InlineData("I")]
    [InlineData("P")]
    public void TryParse_States(string want)
    {
        var line = ProcText.StatLine("x", state: want);
        Assert.True(ThreadStat.TryParse(line, out var have, out _));
        Assert.Equal(want[0], have.State);
    }

    [Theory]
    [InlineData(0u, false)]
    [InlineData(0x00200000u, true)]
    [InlineData(2129984u, true)]        // kthreadd
    [InlineData(69238880u, true)]       // kworker
    [InlineData(4194304u, false)]       // an ordinary process (PF_RANDOMIZE)
    [InlineData(4194560u, false)]
    [InlineData(0x001FFFFFu, false)]
    [InlineData(0xFFDFFFFFu, false)]    // every flag but PF_KTHREAD
    [InlineData(uint.MaxValue, true)]
    public void IsKernelThread(uint flags, bool want)
    {
        var line = ProcText.StatLine("x", flags: flags.ToString());
        Assert.True(ThreadStat.TryParse(line, out var have, out _));
        Assert.Equal(flags, have.Flags);
        Assert.Equal(want, have.IsKernelThread);
    }

    [Theory]
    [InlineData("0", 0ul)]
    [InlineData("1", 1ul)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void TryParse_StartTimeRange(string field, ulong want)
    {
        var line = ProcText.StatLine("x", startTime: field);
        Assert.True(ThreadStat.TryParse(line, out var have, out _));
        Assert.Equal(want, have.StartTimeTicks);
    }

    [Fact]
    public void TryParse_StopsAtField22()
    {
        // Only the first 22 fields are needed; a line cut right after starttime still parses.
        var have = Parse("1 (x) S 0 0 0 0 -1 2097152 0 0 0 0 0 0 0 0 20 0 1 0 77");
        Assert.Equal(77ul, have.StartTimeTicks);
        Assert.True(have.IsKernelThread);
        // Garbage after field 22 is never looked at (as long as it has no ')', which would end the comm there).
        Assert.Equal(77ul, Parse("1 (x) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77 garbage ( \xff -1 x").StartTimeTicks);
    }

    [Fact]
    public void TryParse_BlanksBetweenFields()
    {
        // SpaceTokens treats runs of spaces, tabs, newlines and NULs as one separator.
        var have = Parse("1 (x)  S\t7 0 0 0 -1  5 0 0 0 0 0 0 0 0 20 0 1 0\0 99\n");
        Assert.Equal('S', have.State);
        Assert.Equal(7, have.ParentPid);
        Assert.Equal(5u, have.Flags);
        Assert.Equal(99ul, have.StartTimeTicks);
    }

    [Theory]
    [InlineData("", "no command name in parentheses", "\"\"")]
    [InlineData("\n", "no command name in parentheses", "\"\\n\"")]
    [InlineData("3553 cat R 3551 3551 3137 0 -1 4194304", "no command name in parentheses", "3553 cat R 3551")]
    [InlineData("3553 (cat R 3551 3551 3137 0 -1 4194304", "no command name in parentheses", "3553 (cat R")]
    [InlineData("3553 cat) R 3551 3551 3137 0 -1 4194304", "no command name in parentheses", "3553 cat) R")]
    [InlineData("3553 )cat( R 3551 3551", "no command name in parentheses", "3553 )cat( R")]
    [InlineData("3553 (cat)", "truncated before field 22", "3553 (cat)")]
    [InlineData("3553 (cat) R", "truncated before field 22", "3553 (cat) R")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0", "truncated before field 22", "4194304 100 0")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0\n", "truncated before field 22", "20 0 1 0\\n")]
    [InlineData("3553 (cat) RS 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 52145", "bad state field", "(cat) RS 3551")]
    [InlineData("3553 (cat) R x 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 52145", "bad ppid field", "(cat) R x 3551")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 0x400000 100 0 0 0 0 0 0 0 20 0 1 0 52145", "bad flags field", "-1 0x400000 100")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 -1 100 0 0 0 0 0 0 0 20 0 1 0 52145", "bad flags field", "3137 0 -1 -1 100")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4294967296 100 0 0 0 0 0 0 0 20 0 1 0 52145", "bad flags field", "4294967296")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 52x45 3133440", "bad starttime field", "1 0 52x45 3133440")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 -52145", "bad starttime field", "-52145")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616", "bad starttime field", "18446744073709551616")]
    [InlineData("3553 (cat) R 3551 3551 3137 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 1.5", "bad starttime field", "1 0 1.5")]
    public void TryParse_Failures(string line, string wantProblem, string wantQuoted)
    {
        var bytes = ProcText.Latin1(line);
        Assert.False(ThreadStat.TryParse(bytes, out var have, out string? error));
        Assert.Equal(default, have);
        Assert.NotNull(error);
        Assert.StartsWith("stat: ", error);
        Assert.Contains(wantProblem, error);
        Assert.Contains(wantQuoted, error);
    }

    [Fact]
    public void TryParse_FailureQuoteIsBoundedAndEscaped()
    {
        // A NUL-free line long past the quote limit, with a bad starttime at its very end.
        var line = ProcText.Latin1("3553 (" + new string('w', 5000) + "\"\\\x01) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 bad");
        Assert.False(ThreadStat.TryParse(line, out _, out string? error));
        Assert.NotNull(error);
        Assert.StartsWith("stat: bad starttime field: \"3553 (www", error);
        Assert.EndsWith($" (+{line.Length - 120} bytes)", error);
        Assert.True(error.Length < 300, error);
    }

    [Theory]
    [InlineData("\"", "\\\"")]
    [InlineData("\\", "\\\\")]
    [InlineData("\x01\xff", "\\x01\\xff")]
    public void TryParse_FailureQuoteEscapesBytes(string comm, string wantEscaped)
    {
        var line = ProcText.Latin1("1 (" + comm + ") R 1");
        Assert.False(ThreadStat.TryParse(line, out _, out string? error));
        Assert.Contains("(" + wantEscaped + ") R 1", error);
    }

    [Fact]
    public void TryParse_HostileInput_NeverThrows()
    {
        byte[][] seeds =
        [
            ProcText.Latin1(RealCatLine),
            ProcText.Latin1(RealParenLine),
            ProcText.StatLine("dotnet (with (parens)) sp(a)ce"),
            ProcText.StatLine([0xff, (byte)')', 0x00, (byte)'('], flags: "2097152"),
        ];
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(seeds), input =>
        {
            bool ok = ThreadStat.TryParse(input, out var stat, out string? error);
            HostileInputs.AssertContract(ok, error, "stat");
            if (ok)
            {
                var (offset, length) = stat.CommRange.GetOffsetAndLength(input.Length);
                Assert.InRange(offset, 1, input.Length);
                Assert.Equal((byte)'(', input[offset - 1]);
                Assert.Equal((byte)')', input[offset + length]);
                _ = stat.Comm(input);
            }
            else
            {
                Assert.Equal(default, stat);
            }
        });
    }

    private static ThreadStat Parse(string line)
    {
        var bytes = ProcText.Latin1(line);
        Assert.True(ThreadStat.TryParse(bytes, out var stat, out string? error), error);
        return stat;
    }
}
