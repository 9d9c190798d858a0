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

    /// <summary>The thread ids the kernel has reported as hung tasks.</summary>
    public HashSet<int> HungTaskThreads() => [.. _events.Where(e => e.Event == KernelLogEvent.HungTask).Select(e => e.Pid)];

    /// <summary>True when the kernel reported this thread as a hung task (a line older than the thread is about an earlier task with a reused id).</summary>
    public bool NamesHung(ObservedThread thread) => _events.Any(e => IsHungTaskOf(e, thread));

    /// <summary>What <see cref="ServersNotResponding"/> holds for a CIFS line that names no server ("\\ has not responded").</summary>
    public const string UnnamedCifsServer = "cifs:unnamed";

    /// <summary>Servers whose latest word in the log is that they do not respond (<see cref="UnnamedCifsServer"/> for a CIFS line without a name).</summary>
    public HashSet<string> ServersNotResponding()
    {
        var latest = new Dictionary<string, string>();
        foreach (var e in _events)
        {
            if (e.Event is not (KernelLogEvent.ServerNotResponding or KernelLogEvent.ServerOk)) continue;
            string? server = e.Server ?? (e.Message.StartsWith("CIFS", StringComparison.Ordinal) ? UnnamedCifsServer : null);
            if (server is not null) latest[server] = e.Event;
        }
        return [.. latest.Where(p => p.Value == KernelLogEvent.ServerNotResponding).Select(p => p.Key)];
    }

    /// <summary>The latest lines about a thread: hung-task reports naming its thread id, and lines about its server.</summary>
    public IReadOnlyList<string> About(ObservedThread thread, string? server, string? address = null) =>
        [.. _events.Where(e => IsHungTaskOf(e, thread) || (e.Server is not null && (e.Server == server || e.Server == address)))
            .TakeLast(PerThread).Select(e => $"[{e.Seconds:F1}] {e.Message}")];

    private static bool IsHungTaskOf(KernelLogEvent e, ObservedThread thread) =>
        e.Event == KernelLogEvent.HungTask && e.Pid == thread.Tid && e.Seconds >= thread.StartTimeTicks / (double)Procfs.ProcFs.ClockTicksPerSecond;
}
