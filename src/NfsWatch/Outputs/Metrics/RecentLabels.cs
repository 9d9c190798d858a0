namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Server label values, at most <see cref="Max"/> at a time, given to the servers seen most recently. Each scan
/// tells which servers it saw and whether each is established (a mounted filesystem, a kernel log line, a mount
/// call already inside the filesystem's own code: things only the administrator can make) or only named in the
/// arguments of a call anyone can make (mount(2) looks up its target before it checks privileges, so any user can
/// sit in it with addr= values of their own). A server without a slot shares "other".
/// </summary>
/// <remarks>
/// When the slots are full, a new established server takes the slot of the least recently seen server that this
/// scan did not see, a merely named one first; a merely named server takes only the slot of another merely named
/// one. So however many names one user sits in mount(2) with, the servers of real mounts keep their own series,
/// and a server that is gone gives its slot back to a new one.
/// </remarks>
public sealed class RecentLabels(int max)
{
    private readonly Dictionary<string, (long LastSeen, bool Established)> _slots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _scan;

    public int Max => max;

    /// <summary>
    /// Records one scan's servers, established ones first so that they are placed before the others. Returns the
    /// servers that lost their slot: their series are to be removed.
    /// </summary>
    public List<string> Saw(IEnumerable<string> established, IEnumerable<string> named)
    {
        var evicted = new List<string>();
        lock (_lock)
        {
            _scan++;
            foreach (string s in established) Place(s, true, evicted);
            foreach (string s in named) Place(s, false, evicted);
        }
        return evicted;
    }

    /// <summary>The label for a server: its name when it holds a slot, else "other".</summary>
    public string Of(string value)
    {
        if (value is MetricLabels.Unknown or MetricLabels.None) return value;
        lock (_lock) return _slots.ContainsKey(value) ? value : BoundedLabel.Other;
    }

    private void Place(string value, bool established, List<string> evicted)
    {
        if (value is MetricLabels.Unknown or MetricLabels.None) return;
        if (_slots.TryGetValue(value, out var slot))
        {
            _slots[value] = (_scan, slot.Established || established);
            return;
        }
        if (_slots.Count < max) { _slots[value] = (_scan, established); return; }
        string? victim = null;
        (long LastSeen, bool Established) worst = default;
        foreach (var (name, s) in _slots)
        {
            if (s.LastSeen == _scan || (s.Established && !established)) continue;
            // Merely named before established; among equals, the least recently seen.
            if (victim is null || (worst.Established && !s.Established) || (worst.Established == s.Established && s.LastSeen < worst.LastSeen))
                (victim, worst) = (name, s);
        }
        if (victim is null) return;
        _slots.Remove(victim);
        evicted.Add(victim);
        _slots[value] = (_scan, established);
    }
}
