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
        // The key as kernel/sched/debug.c prints it: at the start of a line, padded with spaces up to ':'.
        // The header line carries the thread's name, which may itself be "se.exec_start".
        ReadOnlySpan<byte> line = default;
        bool found = false;
        for (var rest = text; !rest.IsEmpty && !found;)
        {
            int nl = rest.IndexOf((byte)'\n');
            var candidate = nl < 0 ? rest : rest[..nl];
            rest = nl < 0 ? default : rest[(nl + 1)..];
            if (candidate.StartsWith("se.exec_start"u8) && candidate["se.exec_start".Length..].TrimStart(" \t"u8).StartsWith(":"u8))
            {
                line = candidate;
                found = true;
            }
        }
        if (!found)
        {
            error = ParseError.Message("sched", "no se.exec_start line", text);
            return false;
        }
        int colon = line.IndexOf((byte)':');
        if (colon < 0 || !Numbers.TryParseDecimal(line[(colon + 1)..].Trim((byte)' '), out execStartMs) || execStartMs < 0)
        {
            execStartMs = 0;
            error = ParseError.Message("sched", "bad se.exec_start value", line);
            return false;
        }
        return true;
    }
}
