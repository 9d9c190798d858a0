using System.Collections.Concurrent;

namespace NfsWatch.Core.Detection;

/// <summary>
/// Processes whose proc files blocked a scan. Reading /proc/PID/task/TID/syscall or stack takes the task's
/// exec_update_lock (cred_guard_mutex before Linux 5.7), which an exec that flushes or opens a file on a dead
/// hard mount can hold for as long as the server is gone. A scan that stalls on one is abandoned; the process
/// is skipped for <see cref="SkipFor"/>, and for as long as the abandoned read is still blocked
/// (node_exporter's answer to dead NFS mounts, applied to proc).
/// </summary>
public sealed class StalledReads(TimeProvider? time = null)
{
    public static readonly TimeSpan SkipFor = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<int, (DateTimeOffset Until, Task Abandoned)> _stalled = new();

    /// <summary>Remembers that reading <paramref name="pid"/>'s files blocked the scan running as <paramref name="abandoned"/>.</summary>
    public void Add(int pid, Task abandoned) => _stalled[pid] = (_time.GetUtcNow() + SkipFor, abandoned);

    /// <summary>True while the process should not be read: within SkipFor, or while the abandoned scan is still blocked.</summary>
    public bool Skip(int pid)
    {
        if (!_stalled.TryGetValue(pid, out var entry)) return false;
        if (entry.Until > _time.GetUtcNow() || !entry.Abandoned.IsCompleted) return true;
        _stalled.TryRemove(pid, out _);
        return false;
    }

    public IReadOnlyCollection<int> Pids => [.. _stalled.Keys.Where(Skip)];

    /// <summary>Abandoned scans still blocked in the kernel.</summary>
    public int BlockedThreads => _stalled.Values.Count(e => !e.Abandoned.IsCompleted);
}
