namespace NfsWatch.Core.Procfs;

/// <summary>
/// /proc/PID/task/TID/sched (kernel/sched/debug.c). Its "se.exec_start" line is the time the thread last
/// started running, in milliseconds on the scheduler clock, which on the kernels checked (6.1, 6.18) runs
/// with the clock /proc/uptime shows. Only that line is read.
/// </summary>
public static class ThreadSched
{
    public static bool TryParseExecStartMs(ReadOnlySpan<byte> text, out double execStartMs, out string? error)
    {
        execStartMs = 0;
        error = null;
        int at = text.IndexOf("se.exec_start"u8);
        if (at < 0)
        {
            error = ParseError.Message("sched", "no se.exec_start line", text);
            return false;
        }
        var line = text[at..];
        int nl = line.IndexOf((byte)'\n');
        if (nl >= 0) line = line[..nl];
        int colon = line.IndexOf((byte)':');
        if (colon < 0 || !Numbers.TryParseDecimal(line[(colon + 1)..].Trim((byte)' '), out execStartMs) || execStartMs < 0)
        {
            error = ParseError.Message("sched", "bad se.exec_start value", line);
            return false;
        }
        return true;
    }
}
