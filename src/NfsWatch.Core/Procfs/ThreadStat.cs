using System.Text;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// The fields NfsWatch uses from /proc/PID/task/TID/stat (proc(5), "/proc/pid/stat").
/// </summary>
/// <param name="State">Field 3: R running, S sleeping, D uninterruptible disk sleep, Z zombie, T stopped, t tracing stop, X dead, I idle, P parked.</param>
/// <param name="ParentPid">Field 4: the PID of the parent of this process.</param>
/// <param name="Flags">Field 9: the kernel flags word of the task (PF_* in include/linux/sched.h).</param>
/// <param name="StartTimeTicks">Field 22: the time the thread started after system boot, in clock ticks.</param>
public readonly record struct ThreadStat(char State, int ParentPid, uint Flags, ulong StartTimeTicks, Range CommRange)
{
    /// <summary>PF_KTHREAD: a kernel thread, never inside a system call.</summary>
    public const uint KernelThreadFlag = 0x00200000;

    /// <summary>PF_EXITING: the task is in do_exit (a fatal signal, exit_group, a core dump).</summary>
    public const uint ExitingFlag = 0x00000004;

    public bool IsKernelThread => (Flags & KernelThreadFlag) != 0;

    /// <summary>Field 2, the command name, decoded from the same line the record was parsed from.</summary>
    public string Comm(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line[CommRange]);

    /// <summary>
    /// Parses a stat line. The command name may contain spaces and parentheses ("a) b (c"), so it is taken
    /// between the first '(' and the LAST ')' - the mistake that once broke .NET's own parser on a thread
    /// named "JetPool (S) Reg".
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out ThreadStat stat, out string? error)
    {
        stat = default;
        error = null;
        int open = line.IndexOf((byte)'(');
        int close = line.LastIndexOf((byte)')');
        if (open < 0 || close < open)
        {
            error = ParseError.Message("stat", "no command name in parentheses", line);
            return false;
        }
        // Fields after the command: 3 state, 4 ppid, ... 9 flags, ... 22 starttime.
        var rest = line[(close + 1)..];
        char state = '\0';
        int ppid = 0;
        uint flags = 0;
        ulong start = 0;
        int field = 2;
        bool haveStart = false;
        foreach (var token in new SpaceTokens(rest))
        {
            field++;
            switch (field)
            {
                case 3:
                    if (token.Length != 1) { error = ParseError.Message("stat", "bad state field", line); return false; }
                    state = (char)token[0];
                    break;
                case 4:
                    if (!Numbers.TryParseInt(token, out ppid)) { error = ParseError.Message("stat", "bad ppid field", line); return false; }
                    break;
                case 9:
                    if (!Numbers.TryParseUInt(token, out flags)) { error = ParseError.Message("stat", "bad flags field", line); return false; }
                    break;
                case 22:
                    if (!Numbers.TryParseULong(token, out start)) { error = ParseError.Message("stat", "bad starttime field", line); return false; }
                    haveStart = true;
                    break;
            }
            if (haveStart) break;
        }
        if (!haveStart)
        {
            error = ParseError.Message("stat", "truncated before field 22 (starttime)", line);
            return false;
        }
        stat = new ThreadStat(state, ppid, flags, start, new Range(open + 1, close));
        return true;
    }
}
