using NfsWatch.Core.Procfs;
using NfsWatch.Core;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Report;
using NfsWatch.Outputs.Cli;
using Serilog;

namespace NfsWatch.Outputs.Journal;

/// <summary>
/// The on-call story in the journal: one entry when a thread becomes hung, a reminder while it stays hung
/// (at most every <see cref="ReminderEvery"/>), one when it recovers. Each carries NFSWATCH_* fields, so
/// `journalctl -u nfswatch NFSWATCH_EVENT=hung` answers "what hangs, since when, for whom, why".
/// </summary>
public sealed class TriageLog(ILogger log, TimeProvider? time = null)
{
    public static readonly TimeSpan ReminderEvery = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Dictionary<ThreadKey, (HangReport Thread, DateTimeOffset LastReported)> _hung = [];

    public void Record(ScanReport report)
    {
        var now = _time.GetUtcNow();
        var next = new Dictionary<ThreadKey, (HangReport, DateTimeOffset)>();
        foreach (var thread in report.MountCalls.Concat(report.Blocked).Where(t => t.Hung))
        {
            if (!_hung.TryGetValue(thread.Key, out var known))
            {
                Write("hung", thread, Serilog.Events.LogEventLevel.Warning);
                next[thread.Key] = (thread, now);
            }
            else if (now - known.LastReported >= ReminderEvery)
            {
                Write("still_hung", thread, Serilog.Events.LogEventLevel.Warning);
                next[thread.Key] = (thread, now);
            }
            else next[thread.Key] = (thread, known.LastReported);
        }
        foreach (var (key, (thread, _)) in _hung)
            if (!next.ContainsKey(key)) Write("recovered", thread, Serilog.Events.LogEventLevel.Information);
        _hung = next;
    }

    private void Write(string @event, HangReport t, Serilog.Events.LogEventLevel level)
    {
        string call = t.Thread.Syscall is null ? "the kernel" : $"{t.Thread.Syscall}()";
        string what = ScanTable.DescribeMount(t);
        string text = @event switch
        {
            "hung" => $"Thread {t.Tid} of {t.Comm} (pid {t.Pid}) is hung in {call} for {Duration.Format(t.StuckSeconds)}: state {t.Thread.State}, waiting in {t.Thread.Wchan ?? t.Thread.TopFrame ?? "?"}; mounting {what}",
            "still_hung" => $"Thread {t.Tid} of {t.Comm} (pid {t.Pid}) is still hung in {call}, for {Duration.Format(t.StuckSeconds)} now; mounting {what}",
            _ => $"Thread {t.Tid} of {t.Comm} (pid {t.Pid}) is no longer hung in {call} (hung at least {Duration.Format(t.StuckSeconds)}); mounting {what}",
        };
        if (@event != "recovered")
        {
            if (t.Signature is not null) text += $". Known problem: {t.Signature.Title} ({t.Signature.Reference})";
            text += ".";
            if (t.Triage is not null) text += $" {t.Triage}";
            else if (t.Action is not null) text += $" What to do: {t.Action.Summary}";
        }
        log.ForContext("NFSWATCH_EVENT", @event)
            .ForContext("NFSWATCH_PID", t.Pid)
            .ForContext("NFSWATCH_TID", t.Tid)
            .ForContext("NFSWATCH_COMM", t.Comm)
            .ForContext("NFSWATCH_SYSCALL", t.Thread.Syscall ?? "")
            .ForContext("NFSWATCH_STUCK_SECONDS", Math.Round(t.StuckSeconds))
            .ForContext("NFSWATCH_FSTYPE", t.FsType ?? "")
            .ForContext("NFSWATCH_SOURCE", t.Source ?? "")
            .ForContext("NFSWATCH_TARGET", t.Target ?? "")
            .ForContext("NFSWATCH_NFS_VERSION", t.NfsVersion ?? "")
            .ForContext("NFSWATCH_SERVER", t.Server ?? "")
            .ForContext("NFSWATCH_SIGNATURE", t.Signature?.Id ?? "")
            .ForContext("NFSWATCH_ROLE", t.Role ?? "")
            .ForContext("NFSWATCH_CAUSE", HangCauses.Name(t.Cause))
            .ForContext("NFSWATCH_WAITS_FOR_PID", t.WaitsFor?.Pid.ToString() ?? "")
            .ForContext("NFSWATCH_WAITS_FOR_TID", t.WaitsFor?.Tid.ToString() ?? "")
            .ForContext("NFSWATCH_WAITS_ON", t.WaitsFor?.On ?? t.WaitsOn ?? "")
            .ForContext("NFSWATCH_END_PID", t.Action?.End?.Pid.ToString() ?? "")
            .ForContext("NFSWATCH_CONTAINER_ID", t.Owner.ContainerId ?? "")
            .ForContext("NFSWATCH_UNIT", t.Owner.Unit ?? "")
            .ForContext("NFSWATCH_ECS_TASK", t.Owner.EcsTask ?? "")
            .ForContext("NFSWATCH_ECS_TASK_FAMILY", t.Owner.EcsTaskFamily ?? "")
            .ForContext("NFSWATCH_STACK", string.Join("\n", t.Thread.Stack))
            .Write(level, "{Text}", text);
    }
}
