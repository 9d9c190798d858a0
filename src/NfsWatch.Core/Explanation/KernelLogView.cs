using NfsWatch.Core.Detection;
using NfsWatch.Core.KernelLog;

namespace NfsWatch.Core.Explanation;

/// <summary>The recent kernel log events, kept to link them to stuck threads in triage (bounded).</summary>
public sealed class KernelLogView
{
    private const int Keep = 256, PerThread = 3;
    private readonly LinkedList<KernelLogEvent> _events = new();

    public void Add(IEnumerable<KernelLogEvent> events)
    {
        foreach (var e in events)
        {
            _events.AddLast(e);
            if (_events.Count > Keep) _events.RemoveFirst();
        }
    }

    public IReadOnlyCollection<KernelLogEvent> Events => _events;

    /// <summary>The latest lines about a thread: hung-task reports naming its thread id, and lines about its NFS server.</summary>
    public IReadOnlyList<string> About(StuckThread thread) =>
        // A hung-task line older than the thread is about an earlier task with a reused id.
        [.. _events.Where(e => (e.Event == KernelLogEvent.HungTask && e.Pid == thread.Tid && e.Seconds >= thread.StartTimeTicks / (double)Procfs.ProcFs.ClockTicksPerSecond)
                               || (thread.Server is not null && e.Server == thread.Server))
            .TakeLast(PerThread).Select(e => $"[{e.Seconds:F1}] {e.Message}")];
}
