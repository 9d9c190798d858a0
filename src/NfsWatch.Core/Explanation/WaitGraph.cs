namespace NfsWatch.Core.Explanation;

/// <summary>What one thread waits for: the rule that recognised the wait, the resource in words, and the holder found, if any.</summary>
/// <param name="Holder">The index of the holding thread among the graph's threads, or null when none was found after looking.</param>
/// <param name="External">A holding process outside the graph's threads (the automount daemon), when the rule names one.</param>
public sealed record WaitLink(WaitRule Rule, string Resource, int? Holder, ExternalHolder? External = null);

/// <summary>
/// The wait-for graph of one scan: for each thread, what it waits for and who holds it. Each thread waits
/// for at most one thing (its innermost wait). Cycles are possible (a deadlock) and are left as they are:
/// <see cref="Root"/> stops at them.
/// </summary>
public sealed class WaitGraph
{
    private readonly IReadOnlyList<WaitLink?> _links;

    private WaitGraph(IReadOnlyList<WaitLink?> links) => _links = links;

    public WaitLink? LinkOf(int thread) => _links[thread];

    public int Count => _links.Count;

    /// <param name="candidates">Threads that may hold a resource (every observed thread); <paramref name="threads"/> are the ones asked about.</param>
    public static WaitGraph Build(IReadOnlyList<ThreadContext> threads)
    {
        var links = new WaitLink?[threads.Count];
        for (int i = 0; i < threads.Count; i++)
        {
            var waiter = threads[i];
            foreach (var rule in WaitRule.All)
            {
                if (!rule.Waits(waiter)) continue;
                int? holder = Longest(threads, i, j => rule.Holds(threads[j], waiter));
                if (holder is null && rule.Participates is { } participates)
                {
                    // Nobody has visibly gone past the lock: the first to arrive holds it. If that is this thread,
                    // it is the holder, and waits for no one here.
                    holder = Longest(threads, i, j => participates(threads[j], waiter));
                    if (holder is { } first && !Longer(threads[first].Thread, waiter.Thread)) break;
                }
                var external = holder is null ? rule.External?.Invoke(waiter) : null;
                links[i] = new WaitLink(rule, rule.Resource(waiter, holder is { } found ? threads[found] : null), holder, external);
                break;
            }
        }
        return new WaitGraph(links);
    }

    /// <summary>Of the threads other than <paramref name="self"/> that qualify, the one waiting longest.</summary>
    private static int? Longest(IReadOnlyList<ThreadContext> threads, int self, Func<int, bool> qualifies)
    {
        int? best = null;
        for (int j = 0; j < threads.Count; j++)
        {
            if (j == self || !qualifies(j)) continue;
            if (best is not { } b || Longer(threads[j].Thread, threads[b].Thread)) best = j;
        }
        return best;
    }

    /// <summary>Waiting longer: first listed, first to take a lock. Ties go to the lower thread id.</summary>
    private static bool Longer(Detection.ObservedThread a, Detection.ObservedThread b) =>
        a.StuckSeconds > b.StuckSeconds || (a.StuckSeconds == b.StuckSeconds && a.Tid < b.Tid);

    /// <summary>The threads whose link names <paramref name="thread"/> as holder.</summary>
    public IEnumerable<int> WaitersOf(int thread)
    {
        for (int i = 0; i < _links.Count; i++)
            if (_links[i]?.Holder == thread) yield return i;
    }

    /// <summary>
    /// Following holders from <paramref name="thread"/>: the last thread reached, which waits for no other
    /// thread found, and whether the chain ran into a cycle (a deadlock) instead.
    /// </summary>
    public (int Root, bool Cycle) Root(int thread)
    {
        var seen = new HashSet<int> { thread };
        int at = thread;
        while (_links[at]?.Holder is { } next)
        {
            if (!seen.Add(next)) return (next, true);
            at = next;
        }
        return (at, false);
    }

    /// <summary>The members of the cycle that <paramref name="thread"/> is in or leads to, in order; empty when none.</summary>
    public IReadOnlyList<int> CycleFrom(int thread)
    {
        var (start, cycle) = Root(thread);
        if (!cycle) return [];
        var members = new List<int> { start };
        for (int at = _links[start]!.Holder!.Value; at != start; at = _links[at]!.Holder!.Value) members.Add(at);
        return members;
    }
}
