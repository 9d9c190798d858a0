using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/PID/task/TID/sched: only the "se.exec_start" line, in milliseconds.</summary>
public class ThreadSchedTests
{
    private const string Dashes = "-------------------------------------------------------------------\n";

    // This machine (6.18): `cat /proc/self/sched`.
    private const string RealSelfSched =
        "cat (3555, #threads: 1)\n" +
        Dashes +
        "se.exec_start                                :        521360.862776\n" +
        "se.vruntime                                  :            95.443809\n" +
        "se.sum_exec_runtime                          :             0.000000\n" +
        "se.nr_migrations                             :                    0\n" +
        "nr_switches                                  :                    0\n" +
        "nr_voluntary_switches                        :                    0\n" +
        "nr_involuntary_switches                      :                    0\n" +
        "se.load.weight                               :              1048576\n" +
        "se.avg.load_sum                              :                47193\n" +
        "se.avg.runnable_sum                          :             12034215\n" +
        "se.avg.util_sum                              :             12034215\n" +
        "se.avg.load_avg                              :                 1024\n" +
        "se.avg.runnable_avg                          :                  255\n" +
        "se.avg.util_avg                              :                  255\n" +
        "se.avg.last_update_time                      :         521360862208\n" +
        "se.avg.util_est                              :                    0\n" +
        "policy                                       :                    0\n" +
        "prio                                         :                  120\n" +
        "se.slice                                     :              1400000\n" +
        "clock-delta                                  :                   70\n" +
        "mm->numa_scan_seq                            :                    0\n" +
        "numa_pages_migrated                          :                    0\n" +
        "numa_preferred_nid                           :                   -1\n" +
        "total_numa_faults                            :                    0\n" +
        "current_node=0, numa_group_id=0\n" +
        "numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0\n";

    // This machine: a copy of sleep(1) named "a) b (c".
    private const string RealParenSched =
        "a) b (c (3833, #threads: 1)\n" +
        Dashes +
        "se.exec_start                                :        558179.732337\n" +
        "se.vruntime                                  :           173.809229\n";

    // This machine: a copy of sleep(1) named "se.exec_start" (a legal 13-byte comm). The header, printed
    // "%s (%d, #threads: %d)" with the raw comm, then contains the key the parser searches for.
    private const string RealExecStartCommSched =
        "se.exec_start (3827, #threads: 1)\n" +
        Dashes +
        "se.exec_start                                :        557872.967100\n" +
        "se.vruntime                                  :           173.809229\n";

    public static TheoryData<string, double> Files => new()
    {
        { RealSelfSched, 521360.862776 },
        { RealParenSched, 558179.732337 },
        { "dotnet (1234, #threads: 42)\n" + Dashes + "se.exec_start                                :         94617.452831\n", 94617.452831 },
        { "x (1, #threads: 1)\n" + Dashes + "se.exec_start : 0.000000\n", 0 },
        { "se.exec_start : 42", 42 },                                     // no header, no newline
        { "se.exec_start:1234567890.123456\n", 1234567890.123456 },
        { "se.exec_start :   7.5   \nse.exec_start : 9\n", 7.5 },       // the first line counts
        { "x (1, #threads: 1)\n" + Dashes + "se.exec_start\t: 3.25\n", 3.25 },
        { "x (1, #threads: 1)\n" + Dashes + "se.exec_start                                :        .5\n", 0.5 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void TryParseExecStartMs(string text, double want)
    {
        Assert.True(ThreadSched.TryParseExecStartMs(ProcText.Latin1(text), out double have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(want, have, 6);
    }

    [Fact]
    public void TryParseExecStartMs_CommNamedLikeTheKey()
    {
        Assert.True(ThreadSched.TryParseExecStartMs(ProcText.Latin1(RealExecStartCommSched), out double have, out string? error), error);
        Assert.Equal(557872.967100, have, 6);
    }

    [Theory]
    [InlineData("se.exec_start")]                      // exactly the key
    [InlineData("x\nse.exec_start")]                   // a comm with a newline that forges a line
    [InlineData("se.exec_start:1")]                    // 15 bytes, the longest comm
    [InlineData("se.exec_start:")]
    public void TryParseExecStartMs_CommCannotForgeAValue(string comm)
    {
        // Whatever the comm, the parser never returns a value that is not the real se.exec_start: at worst it
        // fails (the bug above). A comm is at most 15 bytes, too short for "se.exec_start:" + digits + "\n".
        var text = ProcText.Latin1(comm + " (3827, #threads: 1)\n" + Dashes +
                                   "se.exec_start                                :        557872.967100\n");
        bool ok = ThreadSched.TryParseExecStartMs(text, out double have, out string? error);
        if (ok) Assert.Equal(557872.967100, have, 6);
        else Assert.StartsWith("sched: bad se.exec_start value: ", error);
    }

    [Theory]
    [InlineData("", "no se.exec_start line", "\"\"")]
    [InlineData("cat (3555, #threads: 1)\n" + Dashes + "se.vruntime : 95.443809\n", "no se.exec_start line", "cat (3555, #threads: 1)")]
    [InlineData("se.exec_star : 1.0\n", "no se.exec_start line", "se.exec_star : 1.0")]
    [InlineData("SE.EXEC_START : 1.0\n", "no se.exec_start line", "SE.EXEC_START")]
    [InlineData("se.exec_start 521360.862776\n", "no se.exec_start line", "se.exec_start 521360.862776")]
    [InlineData("se.exec_start :\n", "bad se.exec_start value", "se.exec_start :")]
    [InlineData("se.exec_start :    \n", "bad se.exec_start value", "se.exec_start :")]
    [InlineData("se.exec_start : abc\n", "bad se.exec_start value", "se.exec_start : abc")]
    [InlineData("se.exec_start : -5.0\n", "bad se.exec_start value", "se.exec_start : -5.0")]
    [InlineData("se.exec_start : 1.2.3\n", "bad se.exec_start value", "se.exec_start : 1.2.3")]
    [InlineData("se.exec_start : 1e5\n", "bad se.exec_start value", "se.exec_start : 1e5")]
    [InlineData("se.exec_start : 1,5\n", "bad se.exec_start value", "se.exec_start : 1,5")]
    [InlineData("se.exec_start : 12 34\n", "bad se.exec_start value", "se.exec_start : 12 34")]
    [InlineData("se.exec_start : -\n", "bad se.exec_start value", "se.exec_start : -")]
    [InlineData("se.exec_start : .\n", "bad se.exec_start value", "se.exec_start : .")]
    [InlineData("se.exec_start : 1.0\r\n", "bad se.exec_start value", "se.exec_start : 1.0\\x0d")]
    [InlineData("se.exec_start : NaN\n", "bad se.exec_start value", "NaN")]
    [InlineData("se.exec_start : \u00bd\n", "bad se.exec_start value", "\\xbd")]
    public void TryParseExecStartMs_Failures(string text, string wantProblem, string wantQuoted)
    {
        Assert.False(ThreadSched.TryParseExecStartMs(ProcText.Latin1(text), out _, out string? error));
        Assert.NotNull(error);
        Assert.StartsWith("sched: ", error);
        Assert.Contains(wantProblem, error);
        Assert.Contains(wantQuoted, error);
    }

    [Fact]
    public void TryParseExecStartMs_BadValueQuotesOnlyItsLine()
    {
        Assert.False(ThreadSched.TryParseExecStartMs(
            ProcText.Latin1(RealSelfSched.Replace("521360.862776", "521360x862776")), out _, out string? error));
        Assert.Equal("sched: bad se.exec_start value: \"se.exec_start                                :        521360x862776\"", error);
    }

    [Fact]
    public void TryParseExecStartMs_HugeValueIsRejected()
    {
        // Numbers.TryParseDecimal takes at most 64 bytes.
        Assert.False(ThreadSched.TryParseExecStartMs(ProcText.Latin1("se.exec_start : " + new string('9', 65)), out _, out _));
        Assert.True(ThreadSched.TryParseExecStartMs(ProcText.Latin1("se.exec_start : " + new string('9', 64)), out double have, out _));
        Assert.True(have > 1e63);
    }

    [Fact]
    public void TryParseExecStartMs_HostileInput_NeverThrows()
    {
        byte[][] seeds =
        [
            ProcText.Latin1(RealSelfSched),
            ProcText.Latin1(RealParenSched),
            ProcText.Latin1(RealExecStartCommSched),
        ];
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(seeds), input =>
        {
            bool ok = ThreadSched.TryParseExecStartMs(input, out double have, out string? error);
            HostileInputs.AssertContract(ok, error, "sched");
            if (ok) Assert.True(have >= 0 && double.IsFinite(have), have.ToString());
        });
    }
}
