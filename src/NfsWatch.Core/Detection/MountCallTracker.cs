using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>
/// Remembers since when each thread has been seen inside the same mount-family call. A call is the same
/// while the thread (pid, tid, start time) shows the same system call number and arguments: a thread that
/// returned and entered another call with other arguments starts again from zero.
/// </summary>
public sealed class MountCallTracker
{
    private sealed class Entry
    {
        public required int Number;
        public required SyscallArgs Args;
        public required double FirstSeen;
        public bool CountedHung;
        public long LastScan;
    }

    private readonly Dictionary<ThreadKey, Entry> _entries = [];
    private long _scan;

    public int Count => _entries.Count;

    public void BeginScan() => _scan++;

    /// <summary>
    /// Records that <paramref name="key"/> is in call <paramref name="number"/> at monotonic time
    /// <paramref name="now"/> (seconds) and returns the seconds since it was first seen there.
    /// </summary>
    public double Observe(ThreadKey key, int number, in SyscallArgs args, double now)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.Number != number || !SameArgs(entry.Args, args))
        {
            entry = new Entry { Number = number, Args = args, FirstSeen = now };
            _entries[key] = entry;
        }
        entry.LastScan = _scan;
        return now - entry.FirstSeen;
    }

    /// <summary>True the first time a call of <paramref name="key"/> is counted as hung; false after.</summary>
    public bool MarkHung(ThreadKey key)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.CountedHung) return false;
        entry.CountedHung = true;
        return true;
    }

    /// <summary>Every call remembered now, with the monotonic time it was first seen.</summary>
    public IEnumerable<(ThreadKey Key, int Number, SyscallArgs Args, double FirstSeen)> Entries =>
        _entries.Select(e => (e.Key, e.Value.Number, e.Value.Args, e.Value.FirstSeen));

    /// <summary>Adopts what another watcher saw, or the kernel recorded at entry: a call first seen earlier than this tracker would.</summary>
    public void Seed(ThreadKey key, int number, in SyscallArgs args, double firstSeen)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Number == number && SameArgs(entry.Args, args))
        {
            // The same call: keep whether it was counted as hung.
            entry.FirstSeen = Math.Min(entry.FirstSeen, firstSeen);
            return;
        }
        _entries[key] = new Entry { Number = number, Args = args, FirstSeen = firstSeen, LastScan = _scan };
    }

    /// <summary>Forgets the threads that this scan did not see in a mount-family call.</summary>
    public void EndScan()
    {
        List<ThreadKey>? gone = null;
        foreach (var (key, entry) in _entries)
            if (entry.LastScan != _scan) (gone ??= []).Add(key);
        if (gone is not null) foreach (var key in gone) _entries.Remove(key);
    }

    private static bool SameArgs(in SyscallArgs a, in SyscallArgs b)
    {
        for (int i = 0; i < 6; i++) if (a[i] != b[i]) return false;
        return true;
    }
}
