using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Core.Report;

/// <summary>
/// Roles, actions and the words for a person, from the wait-for graph: the one place where "end pid N" and
/// its like are written. A chain of waits is released at its root: the thread that waits for no other
/// thread found. Its action (end it, when that releases others and SIGKILL can; fix its server) is the
/// action of every thread in the chain. Waiters are never given advice about a failure other than their
/// root's, and a holder is named only when it was found.
/// </summary>
internal static class Triage
{
    private const int Named = 5;

    public sealed record Decision(string?[] Roles, HangAction?[] ActionOf, string?[] TriageOf, IReadOnlyList<HangAction> Ordered);

    public static Decision Decide(IReadOnlyList<ReportPipeline.Draft?> drafts, WaitGraph graph)
    {
        int n = drafts.Count;
        var roles = new string?[n];
        var actions = new HangAction?[n];
        var triage = new string?[n];
        int? Holder(int i) => drafts[i]?.Link?.Holder;
        var waitersOf = Enumerable.Range(0, n).ToDictionary(i => i, i => Enumerable.Range(0, n).Where(w => drafts[w] is not null && Holder(w) == i).ToList());

        // Roots: follow holders; a cycle's root is the member that SIGKILL can end, with the most waiters.
        var rootOf = new int[n];
        var cycles = new Dictionary<int, IReadOnlyList<int>>();
        for (int i = 0; i < n; i++)
        {
            if (drafts[i] is null) continue;
            var (root, cycle) = Root(i, Holder);
            if (cycle)
            {
                var members = Cycle(root, Holder);
                root = members.OrderByDescending(m => Killable(drafts[m]!) ? 1 : 0).ThenByDescending(m => waitersOf[m].Count).ThenBy(m => drafts[m]!.Context.Thread.Tid).First();
                foreach (int m in members) cycles[m] = members;
            }
            rootOf[i] = root;
        }

        for (int i = 0; i < n; i++)
        {
            if (drafts[i] is null) continue;
            bool hasWaiters = waitersOf[i].Count > 0;
            if (rootOf[i] == i && (hasWaiters || cycles.ContainsKey(i))) roles[i] = "blocker";
            else if (Holder(i) is not null || drafts[i]!.Link?.External is not null) roles[i] = "waiter";
        }

        // One action per root, for the chain behind it; a lone thread gets one once it is hung. Threads waiting
        // for a process outside the scan (the automount daemon) share one action per process and resource.
        var byRoot = new Dictionary<int, HangAction>();
        var ordered = new List<(HangAction Action, int Rank, double Age)>();
        foreach (var group in Enumerable.Range(0, n).Where(i => drafts[i]?.Link?.External is not null && rootOf[i] == i)
                     .GroupBy(i => (drafts[i]!.Link!.External!.Pid, drafts[i]!.Link!.Resource)))
        {
            var members = group.ToList();
            var externalAction = ExternalAction(members, drafts);
            foreach (int m in members) byRoot[m] = externalAction;
            if (members.Any(m => drafts[m]!.Context.Thread.Hung)) ordered.Add((externalAction, 1, members.Max(m => drafts[m]!.Context.Thread.StuckSeconds)));
        }
        for (int i = 0; i < n; i++)
        {
            if (drafts[i] is null || rootOf[i] != i || byRoot.ContainsKey(i)) continue;
            var chain = Enumerable.Range(0, n).Where(m => drafts[m] is not null && m != i && rootOf[m] == i).ToList();
            var d = drafts[i]!;
            if (chain.Count == 0 && !d.Context.Thread.Hung) continue;
            var action = chain.Count > 0 || cycles.ContainsKey(i)
                ? ChainAction(i, chain, drafts, cycles.GetValueOrDefault(i), waitersOf)
                : AloneAction(d);
            byRoot[i] = action;
            bool anyHung = d.Context.Thread.Hung || chain.Any(m => drafts[m]!.Context.Thread.Hung);
            if (anyHung) ordered.Add((action, cycles.ContainsKey(i) ? 0 : chain.Count > 0 ? 1 : d.Context.Thread.Kind == ThreadKind.MountCall ? 2 : 3,
                d.Context.Thread.StuckSeconds));
        }
        for (int i = 0; i < n; i++)
        {
            if (drafts[i] is null) continue;
            actions[i] = byRoot.GetValueOrDefault(rootOf[i]);
            triage[i] = Words(i, drafts, rootOf[i], cycles.GetValueOrDefault(i), waitersOf, actions[i]);
        }
        // Lone hangs of the same kind on the same server say the same: one entry for them, counted.
        var merged = ordered.OrderBy(o => o.Rank).ThenByDescending(o => o.Action.Releases).ThenByDescending(o => o.Age)
            .GroupBy(o => o.Rank >= 2 ? o.Action.Summary : $"{o.Rank}:{o.Action.Summary}").Select(g => g.First().Action).ToList();
        return new Decision(roles, actions, triage, merged);
    }

    private static (int Root, bool Cycle) Root(int thread, Func<int, int?> holder)
    {
        var seen = new HashSet<int> { thread };
        int at = thread;
        while (holder(at) is { } next)
        {
            if (!seen.Add(next)) return (next, true);
            at = next;
        }
        return (at, false);
    }

    private static List<int> Cycle(int start, Func<int, int?> holder)
    {
        var members = new List<int> { start };
        for (int at = holder(start)!.Value; at != start; at = holder(at)!.Value) members.Add(at);
        return members;
    }

    private static bool Killable(ReportPipeline.Draft d) => HangCauses.Killable(d.Context, d.Link);

    /// <summary>The action for the root of a chain of waits (or the chosen member of a cycle).</summary>
    private static HangAction ChainAction(int root, List<int> chain, IReadOnlyList<ReportPipeline.Draft?> drafts, IReadOnlyList<int>? cycle,
        Dictionary<int, List<int>> waitersOf)
    {
        var d = drafts[root]!;
        var t = d.Context.Thread;
        bool killable = Killable(d);
        string? fix = Fix(d);
        var behind = chain.Select(m => drafts[m]!.Context).ToList();
        string whom = Threads(behind);
        string resources = string.Join("; ", waitersOf[root].Select(w => drafts[w]!.Link!.Resource).Distinct());
        var text = new System.Text.StringBuilder();
        if (cycle is not null)
        {
            text.Append($"Deadlock: {string.Join(", ", cycle.Select(m => Name(drafts[m]!.Context)))} wait for each other ");
            text.Append('(' + string.Join("; ", cycle.Select(m => $"pid {drafts[m]!.Context.Thread.Pid} waits for {drafts[m]!.Link!.Resource}")) + "). ");
            text.Append(killable ? $"End pid {t.Pid} ({t.Comm}): kill -9 {t.Pid}; the others then proceed." : $"None of them can be ended with SIGKILL; pid {t.Pid} ({t.Comm}) is the one to look at.");
            var outside = behind.Where(c => !cycle.Any(m => ReferenceEquals(drafts[m]!.Context, c))).ToList();
            if (outside.Count > 0) text.Append($" {Count(outside.Count, "more thread")} {Verb(outside.Count)} behind them: {Threads(outside)}.");
        }
        else
        {
            if (killable && !t.IsKernelThread) text.Append($"End pid {t.Pid} ({t.Comm}): kill -9 {t.Pid}. ");
            text.Append($"{(killable && !t.IsKernelThread ? "It" : Capital(Name(d.Context)))} has been {Doing(d)} for {Duration.Format(t.StuckSeconds)}, ");
            text.Append($"and {Count(behind.Count, "thread")} {Verb(behind.Count)} behind it ({resources}): {whom}.");
            if (!killable || t.IsKernelThread)
                text.Append(t.IsKernelThread ? $" It is a kernel thread and cannot be ended." : " Its wait cannot be ended with SIGKILL.");
            if (fix is not null) text.Append(killable && !t.IsKernelThread ? $" Or fix {fix}." : $" Fix {fix}.");
        }
        // A deadlock is named by the side that waits for a lock (which SIGKILL cannot end), not by the one to end.
        var known = cycle is null ? d.Signature
            : cycle.Select(m => drafts[m]!).Where(m => !Killable(m)).Select(m => m.Signature).FirstOrDefault(s => s is not null) ?? d.Signature;
        if (known is { } s) text.Append($" Known problem: {s.Title}. {s.Remediation}");
        return new HangAction
        {
            End = killable && !t.IsKernelThread ? new ActionTarget(t.Pid, t.Tid, t.Comm) : null,
            Fix = fix,
            Advice = known?.Remediation,
            Releases = behind.Count,
            Summary = text.ToString().Trim(),
        };
    }

    /// <summary>The action for threads waiting for a process outside the scan: the automount daemon.</summary>
    private static HangAction ExternalAction(List<int> members, IReadOnlyList<ReportPipeline.Draft?> drafts)
    {
        var link = drafts[members[0]]!.Link!;
        var daemon = link.External!;
        var threads = members.Select(m => drafts[m]!.Context).ToList();
        var signature = drafts[members[0]]!.Signature;
        string text = $"{Count(threads.Count, "thread")} {Verb(threads.Count)} for {link.Resource}: {Threads(threads)}. " +
                      $"It has not answered: check pid {daemon.Pid} ({daemon.Comm}) and the mount it runs for that path." +
                      (signature is null ? "" : $" Known problem: {signature.Title}. {signature.Remediation}");
        return new HangAction { Fix = $"the automount daemon, pid {daemon.Pid} ({daemon.Comm})", Advice = signature?.Remediation, Releases = threads.Count, Summary = text };
    }

    /// <summary>The action for a hung thread that holds up no one and waits for no thread found.</summary>
    private static HangAction AloneAction(ReportPipeline.Draft d)
    {
        var c = d.Context;
        string where = c.Thread.Kind == ThreadKind.MountCall
            ? $"mounting {MountWords(c) ?? c.FsType ?? "?"}"
            : c.MountPoint is { } m ? $"on {m}" : c.Server is { } s ? $"on {s}" : "";
        string who = $"{Name(c)}{(where.Length > 0 ? " " + where : "")}";
        string fix = Fix(d) is { } f ? $" Fix {f}." : "";
        string text = d.Link is { Holder: null } link
                ? $"{who} waits for {link.Resource}; the thread holding it was not found (it may be in a process NfsWatch cannot read, " +
                  $"in another network namespace, or have finished).{(d.Signature is { } known ? $" Known problem: {known.Title}." : "")}"
            : d.Signature is { } sig ? $"{who}: {sig.Title}. {sig.Remediation}"
            : d.Cause switch
            {
                HangCause.ServerNotResponding => $"{who} waits for {c.Server ?? "its server"}, which the kernel log says is not responding.{fix}",
                HangCause.NoReplyFromServer => $"{who} waits for a reply from {ServerWords(c)}.{fix}",
                _ => $"{who} is stuck in {c.Thread.TopFrame ?? "the kernel"} (cause unknown).",
            };
        return new HangAction { Fix = Fix(d), Advice = d.Signature?.Remediation, Summary = text };
    }

    /// <summary>The sentence of one thread: whom it waits for and what releases it, or whom it holds up.</summary>
    private static string? Words(int i, IReadOnlyList<ReportPipeline.Draft?> drafts, int root, IReadOnlyList<int>? cycle,
        Dictionary<int, List<int>> waitersOf, HangAction? action)
    {
        var d = drafts[i]!;
        var waiters = waitersOf[i].Select(w => drafts[w]!.Context).ToList();
        if (d.Link is { Holder: { } h } link)
        {
            var holder = drafts[h]!.Context.Thread;
            string text = $"Waits for {link.Resource}, held by pid {holder.Pid} ({holder.Comm}, thread {holder.Tid})";
            if (cycle is not null) text += ", which waits in turn for this thread or one behind it: a deadlock";
            else if (root != h) text += $", which itself waits behind pid {drafts[root]!.Context.Thread.Pid} ({drafts[root]!.Context.Thread.Comm})";
            text += ".";
            if (action is not null) text += " " + Release(action, drafts[root]!.Context);
            return text;
        }
        if (d.Link is { External: { } external } waitsForProcess)
            return $"Waits for {waitsForProcess.Resource}, which has not answered. Check pid {external.Pid} ({external.Comm}).";
        if (d.Link is { Holder: null } unheld)
            return $"Waits for {unheld.Resource}; the thread holding it was not found (it may be in a process NfsWatch cannot read, in another network namespace, or have finished).";
        if (waiters.Count > 0)
        {
            string text = $"{Count(waiters.Count, "thread")} {Verb(waiters.Count)} for {string.Join("; ", waitersOf[i].Select(w => drafts[w]!.Link!.Resource).Distinct())} " +
                          $"held by this thread: {Threads(waiters)}.";
            if (action is not null) text += " " + Release(action, d.Context, these: true);
            return text;
        }
        return null;
    }

    /// <summary>"Ending pid 8100 or fixing server 127.0.0.3 releases it."</summary>
    private static string Release(HangAction action, ThreadContext root, bool these = false)
    {
        string them = these ? "them" : "it";
        var ways = new List<string>();
        if (action.End is { } end) ways.Add($"end pid {end.Pid} ({end.Comm}) with kill -9 {end.Pid}");
        if (action.Fix is { } fix) ways.Add($"fix {fix}" + (these ? $", which it has been waiting on for {Duration.Format(root.Thread.StuckSeconds)}" : ""));
        return ways.Count == 0 ? $"Nothing NfsWatch can name releases {them}: {Name(root)} cannot be ended." : $"To release {them}, {string.Join("; or ", ways)}.";
    }

    /// <summary>What the root is doing, in words.</summary>
    private static string Doing(ReportPipeline.Draft d)
    {
        var c = d.Context;
        return d.Cause switch
        {
            HangCause.ServerNotResponding => $"waiting for {c.Server ?? "its server"}, which the kernel log says is not responding",
            HangCause.NoReplyFromServer => $"waiting for a reply from {ServerWords(c)}",
            HangCause.ClientState when d.Link is { } l => $"waiting for {l.Resource}",
            _ => $"stuck in {c.Thread.TopFrame ?? "the kernel"}",
        };
    }

    private static string ServerWords(ThreadContext c) => c.Family switch
    {
        FsFamily.Fuse => c.BlockedOn is { } m ? $"the FUSE server of {m}" : "its FUSE server",
        FsFamily.Autofs => "the automount daemon",
        _ => c.Server is { } s ? $"server {s}" : "its server",
    };

    /// <summary>What to fix for a thread waiting for its server, in words; null when nothing to fix is known.</summary>
    private static string? Fix(ReportPipeline.Draft d)
    {
        var c = d.Context;
        if (d.Cause is not (HangCause.ServerNotResponding or HangCause.NoReplyFromServer)) return null;
        return c.Family switch
        {
            FsFamily.Fuse => (c.BlockedOn is { } m ? $"the FUSE server of {m}" : "the FUSE server") +
                             (c.Request?.Device is { } dev && dev.Split(':') is [_, var minor]
                                 ? $" (restart it, or abort the connection: echo 1 > /sys/fs/fuse/connections/{minor}/abort)" : ""),
            FsFamily.Autofs => "the automount daemon (automount)",
            _ => c.Server is { } s ? $"server {s}" : null,
        };
    }

    private static string Name(ThreadContext c) => $"pid {c.Thread.Pid} ({c.Thread.Comm})";

    /// <summary>What a mount call mounts, in words: its source when that names the server, else the server ("10.0.1.5" for ":/export" with addr=).</summary>
    private static string? MountWords(ThreadContext c)
    {
        string? source = c.Request?.Source;
        if (c.Server is { } s && (source is null || !source.Contains(s, StringComparison.Ordinal))) return source is null ? s : $"{s} ({source})";
        return source;
    }

    private static string Threads(List<ThreadContext> threads) =>
        string.Join(", ", threads.Take(Named).Select(c => $"pid {c.Thread.Pid} ({c.Thread.Comm}" +
            (c.Thread.Kind == ThreadKind.MountCall && (c.Server ?? c.Request?.Source) is { } s ? $" mounting {s}" : "") + ")"))
        + (threads.Count > Named ? $" and {threads.Count - Named} more" : "");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Verb(int n) => n == 1 ? "waits" : "wait";

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
