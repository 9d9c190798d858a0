namespace NfsWatch.Core.Explanation;

/// <summary>What one thread waits for: the rule that recognised the wait, the resource in words, and the holder found, if any.</summary>
/// <param name="Holder">The index of the holding thread among the graph's threads, or null when none was found after looking.</param>
public sealed record WaitLink(WaitRule Rule, string Resource, int? Holder);

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
                int? holder = null;
                for (int j = 0; j < threads.Count; j++)
                {
                    if (j == i || !rule.Holds(threads[j], waiter)) continue;
                    // The one waiting longest: first listed, first to take the lock. Ties go to the lower tid.
                    if (holder is not { } h || threads[j].Thread.StuckSeconds > threads[h].Thread.StuckSeconds
                        || (threads[j].Thread.StuckSeconds == threads[h].Thread.StuckSeconds && threads[j].Thread.Tid < threads[h].Thread.Tid))
                        holder = j;
                }
                links[i] = new WaitLink(rule, rule.Resource(waiter, holder is { } found ? threads[found] : null), holder);
                break;
            }
        }
        return new WaitGraph(links);
    }

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
