namespace NfsWatch.Core.Detection;

/// <summary>
/// Frames that say only that a thread sleeps, not where: the scheduler, the sleeping locks and the stubs
/// around them. Current kernels never show most of them in /proc/PID/stack (stack_trace_save_tsk skips
/// in_sched_functions), but older ones do (4.19 shows io_schedule), 4.x shows the rwsem slow-path thunks
/// (call_rwsem_down_write_failed), and arm64 before 4.x starts every stack with __switch_to. The frame a
/// thread waits in is the innermost one that is none of these.
/// </summary>
public static class SleepFrames
{
    private static readonly string[] Exact =
    [
        "__switch_to", "__schedule", "schedule", "io_schedule", "preempt_schedule", "preempt_schedule_common", "schedule_preempt_disabled",
        "bit_wait", "bit_wait_io", "bit_wait_timeout", "__wait_on_bit", "__wait_on_bit_lock", "out_of_line_wait_on_bit",
        "out_of_line_wait_on_bit_lock", "__wait_for_common", "wait_for_common", "wait_for_common_io", "__lock_text_start",
        "mutex_lock", "__mutex_lock", "down", "down_read", "down_write", "__down", "__down_common",
    ];

    private static readonly string[] Prefixes =
    [
        "schedule_", "io_schedule_", "mutex_lock_", "__mutex_lock_", "down_read_", "down_write_", "down_interruptible", "down_killable",
        "down_timeout", "__down_", "rwsem_down_", "__rwsem_down_", "call_rwsem_down_", "wait_for_completion", "usleep_range",
    ];

    /// <summary>True for a frame that only says the thread sleeps (a compiler clone counts as its original).</summary>
    public static bool IsSleepPrimitive(string frame)
    {
        int dot = frame.IndexOf('.');
        string name = dot > 0 ? frame[..dot] : frame;
        if (Exact.Contains(name)) return true;
        foreach (string prefix in Prefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The index of the frame the thread waits in: the first that is not a sleep primitive; 0 when all are.</summary>
    public static int Innermost(IReadOnlyList<string> stack)
    {
        for (int i = 0; i < stack.Count; i++)
            if (!IsSleepPrimitive(stack[i])) return i;
        return 0;
    }
}
