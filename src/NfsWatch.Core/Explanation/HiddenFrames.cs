namespace NfsWatch.Core.Explanation;

/// <summary>
/// Functions /proc/PID/stack never shows. stack_trace_save_tsk skips every frame for which
/// in_sched_functions() is true (kernel/stacktrace.c, stack_trace_consume_entry_nosched): the scheduler and
/// every function marked __sched, which includes the sleeping locks. A thread waiting for a mutex shows the
/// function that called mutex_lock as its innermost frame. Hung-task traces in the kernel log do print these
/// frames, so a pattern written from one would never match a live thread.
/// </summary>
public static class HiddenFrames
{
    /// <summary>Representative names of such functions, for checking signature patterns against.</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        "__schedule", "schedule", "schedule_timeout", "schedule_timeout_uninterruptible", "schedule_preempt_disabled",
        "io_schedule", "io_schedule_timeout", "preempt_schedule", "preempt_schedule_common",
        "mutex_lock", "mutex_lock_killable", "mutex_lock_interruptible", "mutex_lock_nested", "__mutex_lock",
        "__mutex_lock_slowpath", "__mutex_lock_killable_slowpath", "__mutex_lock_common",
        "down", "down_read", "down_write", "down_read_killable", "down_write_killable", "down_interruptible", "__down",
        "__down_common", "rwsem_down_read_slowpath", "rwsem_down_write_slowpath", "rwsem_down_read_failed",
        "rwsem_down_write_failed",
        "__wait_on_bit", "__wait_on_bit_lock", "out_of_line_wait_on_bit", "out_of_line_wait_on_bit_lock",
        "bit_wait", "bit_wait_io", "bit_wait_timeout", "wait_for_completion", "wait_for_completion_killable",
        "wait_for_completion_interruptible", "wait_for_completion_timeout", "__wait_for_common", "wait_for_common",
        "usleep_range", "usleep_range_state", "__lock_text_start",
    ];

    /// <summary>The hidden function a frame pattern (with '*' wildcards) could stand for, or null when it names none.</summary>
    public static string? MatchedBy(string alternative) =>
        Examples.FirstOrDefault(name => StackPattern.Glob(alternative, name));
}
