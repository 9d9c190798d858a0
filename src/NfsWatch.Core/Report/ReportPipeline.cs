using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Report;

/// <summary>What the host hands in besides the scan: data it gathered elsewhere, never a call back into it.</summary>
public sealed record ReportInputs
{
    /// <summary>The ECS task of each container id, when ECS introspection is on.</summary>
    public IReadOnlyDictionary<string, ContainerTask>? ContainerTasks { get; init; }
    /// <summary>systemd's mount units, or null when they could not be had.</summary>
    public IReadOnlyList<MountUnit>? MountUnits { get; init; }
    public string? MountUnitsProblem { get; init; }
    /// <summary>Whether the kernel log can be read (the kmsg probe).</summary>
    public bool KernelLogReadable { get; init; }
}

/// <summary>
/// The one pipeline from what a scan observed to what it means: for each thread, what it mounts or which
/// mount it is on, the filesystem, NFS version and server, its owner, the known problem its stack matches,
/// what it waits for and who holds that (the wait-for graph), the cause, what to do, and the words for a
/// person. Not thread-safe: one scan at a time.
/// </summary>
public sealed class ReportPipeline
{
    private readonly ProcFs _proc;
    private readonly SignatureCatalog _catalog;
    private readonly CallArguments _arguments;
    private readonly Dictionary<string, ulong> _timeouts = [];

    /// <param name="reader">Reads memory and command lines; null to read nothing that could block (reports then name only what proc tells).</param>
    /// <param name="readAfter">Arguments are read once a call has lasted this long, so short-lived mounts cost nothing.</param>
    public ReportPipeline(ProcFs proc, SignatureCatalog catalog, IsolatedReader? reader, TimeSpan readAfter)
    {
        _proc = proc;
        _catalog = catalog;
        _arguments = new CallArguments(proc, reader, readAfter);
    }

    public ScanReport Build(ScanSnapshot snapshot, KernelLogView kernelLog, IReadOnlyList<KernelLogEvent> newEvents, ReportInputs inputs)
    {
        var kernel = KernelVersion.TryParse(snapshot.Kernel.Release);
        // The kernel names hung tasks by thread id; such a thread is worth reading now, whatever its age.
        var namedHung = kernelLog.HungTaskThreads();
        var observed = snapshot.MountCalls.Concat(snapshot.Blocked).ToList();
        _arguments.BeginScan(observed, namedHung, snapshot.Kernel.Machine);
        var contexts = observed.Select(t => Context(t, snapshot.Kernel.Machine, namedHung.Contains(t.Tid))).ToList();
        _arguments.EndScan();
        var graph = WaitGraph.Build(contexts);
        // A thread that cannot say which filesystem it is on (an unmount whose mount is already detached, a
        // kernel worker, sync) is on the other's, where the rule ties them to one superblock, session or server.
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int i = 0; i < contexts.Count; i++)
            {
                if (graph.LinkOf(i) is not { Holder: { } h, Rule.SharesServer: true }) continue;
                if (KnowsLess(contexts[h], contexts[i])) { contexts[h] = OnTheSameServer(contexts[h], contexts[i]); changed = true; }
                else if (KnowsLess(contexts[i], contexts[h])) { contexts[i] = OnTheSameServer(contexts[i], contexts[h]); changed = true; }
            }
        }
        var reported = Reported(contexts, graph, kernelLog);
        var down = ServersDown(snapshot.NfsMounts, kernelLog);

        var drafts = new Draft?[contexts.Count];
        for (int i = 0; i < contexts.Count; i++)
        {
            if (!reported[i]) continue;
            var c = contexts[i];
            var link = graph.LinkOf(i) is { } l && (l.Holder is not { } h || reported[h]) ? l : null;
            bool serverDown = (c.Server is { } s && down.Contains(s)) || (c.ServerAddress is { } a && down.Contains(a))
                              || (c.Family == FsFamily.Cifs && down.Contains(KernelLogView.UnnamedCifsServer));
            drafts[i] = new Draft(c, link, _catalog.Match(c.Thread, c.NfsVersion, kernel)?.Signature.ToMatch(),
                HangCauses.Of(c, link, serverDown), serverDown);
        }
        var actions = Triage.Decide(drafts, graph);

        var owners = new Dictionary<int, Owner>();
        var reports = new HangReport?[contexts.Count];
        for (int i = 0; i < contexts.Count; i++)
        {
            if (drafts[i] is not { } d) continue;
            var c = d.Context;
            var r = c.Request;
            reports[i] = new HangReport
            {
                Thread = c.Thread,
                FsType = c.FsType,
                How = r?.How,
                Source = r?.Source,
                Target = r?.Target,
                Options = r?.Options,
                NfsVersion = c.NfsVersion,
                Server = c.Server,
                IsNfs = c.Family == FsFamily.Nfs,
                ServerEstablished = c.Server is not null && (c.Thread.Kind != ThreadKind.MountCall
                    || (c.Family != FsFamily.None && FileSystems.FamilyOf(FileSystems.FsTypeFromStack(c.Thread.Stack, c.Thread.StackModules)) == c.Family)),
                Owner = OwnerOf(c.Thread.Pid, owners, inputs.ContainerTasks),
                Signature = d.Signature,
                Role = actions.Roles[i],
                WaitsFor = d.Link switch
                {
                    { Holder: { } h } link => new WaitsFor(contexts[h].Thread.Pid, contexts[h].Thread.Tid, contexts[h].Thread.Comm, link.Resource),
                    { External: { } x } link => new WaitsFor(x.Pid, x.Pid, x.Comm, link.Resource),
                    _ => null,
                },
                WaitsOn = d.Link is { Holder: null, External: null } unheld ? unheld.Resource : null,
                Waiters = [.. graph.WaitersOf(i).Where(w => drafts[w]?.Link?.Holder == i)
                    .Select(w => new WaitsFor(contexts[w].Thread.Pid, contexts[w].Thread.Tid, contexts[w].Thread.Comm, graph.LinkOf(w)!.Resource))],
                Cause = d.Cause,
                Action = actions.ActionOf[i],
                Triage = actions.TriageOf[i],
                KernelLog = kernelLog.About(c.Thread, c.Server, c.ServerAddress),
            };
        }

        var mountCalls = reports.Where((r, i) => r is not null && observed[i].Kind == ThreadKind.MountCall).Select(r => r!).ToList();
        var blocked = reports.Where((r, i) => r is not null && observed[i].Kind == ThreadKind.Blocked).Select(r => r!)
            .OrderByDescending(r => r.StuckSeconds).ToList();
        var byKey = mountCalls.ToDictionary(m => m.Key);
        return new ScanReport
        {
            Kernel = snapshot.Kernel,
            ThresholdSeconds = snapshot.ThresholdSeconds,
            ScannedThreads = snapshot.ScannedThreads,
            MountCalls = mountCalls,
            Blocked = blocked,
            NewlyHung = [.. snapshot.NewlyHung.Select(n => byKey.GetValueOrDefault(n.Key)).OfType<HangReport>()],
            Actions = actions.Ordered,
            NfsMounts = [.. snapshot.NfsMounts.Select(m => new NfsMountReport(m, NfsOptions.Version(m.FsType, m.Options, fromKernel: true), NfsOptions.Server(m.Source, m.Options)))],
            KernelLogEvents = newEvents,
            Probes = ProbeMap(snapshot, inputs),
            Errors = snapshot.Errors,
            ErrorSamples = snapshot.ErrorSamples,
            StalledProcesses = snapshot.StalledProcesses,
            Watching = snapshot.Watching,
            WatchingWhy = snapshot.WatchingWhy,
            MountUnits = inputs.MountUnits,
            MountUnitsProblem = inputs.MountUnitsProblem,
            Duration = snapshot.Duration,
            FinishedAt = snapshot.FinishedAt,
        };
    }

    /// <summary>What explanation can say of a thread before judging it: its mount, filesystem, server, namespace.</summary>
    private ThreadContext Context(ObservedThread t, string machine, bool namedHung)
    {
        var request = t.IsKernelThread ? _arguments.OfKernelThread(t) : _arguments.Of(t, machine, force: namedHung);
        string? netns = t.IsKernelThread ? null : _proc.TryReadLink($"{t.Pid}/ns/net");
        var context = ThreadContext.Of(t, request, netns);
        // A blocked thread whose file cannot be named (it is exiting, in sync, or its descriptor is closed) but
        // whose stack says the kind of filesystem: the only mount of that kind its process can see.
        if (context.Request is null && t.Kind == ThreadKind.Blocked && !t.IsKernelThread && context.Family != FsFamily.None
            && _arguments.OnlyMountOf(t.Pid, context.Family) is { } only)
            context = ThreadContext.Of(t, only, netns);
        // An automount point names its daemon's process group: pgrp=N (fs/autofs/inode.c).
        if (context.Family == FsFamily.Autofs && NfsOptions.Option(context.Request?.Options, "pgrp") is { } pgrp && int.TryParse(pgrp, out int daemon))
            context = context with { AutofsDaemon = new ExternalHolder(daemon, _arguments.CommOf(daemon) ?? "?") };
        return context;
    }

    /// <summary>
    /// <paramref name="a"/> does not name the server <paramref name="b"/> names, or (a FUSE filesystem has none) names
    /// neither server nor filesystem where <paramref name="b"/> names its filesystem. Each step names one more, so
    /// the propagation ends.
    /// </summary>
    private static bool KnowsLess(ThreadContext a, ThreadContext b) =>
        (a.Server is null && b.Server is not null) || (a.Server is null && a.FsType is null && b.FsType is not null);

    private static ThreadContext OnTheSameServer(ThreadContext unknown, ThreadContext known) => unknown with
    {
        FsType = known.FsType ?? unknown.FsType, Family = known.Family, NfsVersion = known.NfsVersion,
        Server = known.Server, ServerAddress = known.ServerAddress,
    };

    /// <summary>A thread judged: its context, what it waits for (with a holder that is reported), signature and cause.</summary>
    internal sealed record Draft(ThreadContext Context, WaitLink? Link, SignatureMatch? Signature, HangCause Cause, bool ServerDown);

    /// <summary>
    /// Which threads are reported: every mount call; a blocked thread in network or FUSE filesystem code or on
    /// such a mount, or named hung by the kernel log; and every thread tied by a wait to a reported one (a
    /// thread waiting on a directory lock that an NFS-blocked thread holds, the kernel thread recovering a server).
    /// </summary>
    private static bool[] Reported(List<ThreadContext> contexts, WaitGraph graph, KernelLogView kernelLog)
    {
        var reported = new bool[contexts.Count];
        for (int i = 0; i < contexts.Count; i++)
        {
            var c = contexts[i];
            reported[i] = c.Thread.Kind == ThreadKind.MountCall || c.OnRemoteFs
                || (c.Thread.State == 'D' && kernelLog.NamesHung(c.Thread));
        }
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int i = 0; i < contexts.Count; i++)
            {
                if (graph.LinkOf(i)?.Holder is not { } h) continue;
                // A waiter joins when what holds it is reported, and a holder when what waits for it is.
                if (reported[h] && !reported[i] && contexts[i].Thread.State == 'D') { reported[i] = changed = true; }
                if (reported[i] && !reported[h]) { reported[h] = changed = true; }
            }
        }
        return reported;
    }

    /// <summary>
    /// Servers with evidence that they do not respond: the kernel log's latest word on them is "not responding",
    /// or their RPC major timeouts grew since the previous scan (the daemon's view over time).
    /// </summary>
    private HashSet<string> ServersDown(IReadOnlyList<NfsMountStats> mounts, KernelLogView kernelLog)
    {
        var down = kernelLog.ServersNotResponding();
        var seen = new HashSet<string>();
        foreach (var group in mounts.GroupBy(m => NfsOptions.Server(m.Source, m.Options)))
        {
            if (group.Key is not { } server) continue;
            ulong timeouts = (ulong)group.Sum(m => (double)m.Timeouts);
            if (_timeouts.TryGetValue(server, out ulong before) && timeouts > before) down.Add(server);
            _timeouts[server] = timeouts;
            seen.Add(server);
        }
        foreach (string gone in _timeouts.Keys.Where(k => !seen.Contains(k)).ToList()) _timeouts.Remove(gone);
        return down;
    }

    private Owner OwnerOf(int pid, Dictionary<int, Owner> owners, IReadOnlyDictionary<string, ContainerTask>? tasks)
    {
        if (owners.TryGetValue(pid, out var known)) return known;
        var owner = Owner.None;
        if (_proc.TryReadText($"{pid}/cgroup", out _) is { } text && ProcessCgroup.Parse(text) is { } cg)
        {
            var task = cg.ContainerId is { } id && tasks is not null && tasks.TryGetValue(id, out var t) ? t : null;
            owner = new Owner(Printable.Of(cg.Unit), cg.ContainerId, Printable.Of(task?.Arn), Printable.Of(task?.Family));
        }
        return owners[pid] = owner;
    }

    private Dictionary<string, ProbeStatus> ProbeMap(ScanSnapshot s, ReportInputs inputs)
    {
        var map = new Dictionary<string, ProbeStatus>();
        foreach (var (name, available) in s.Probes)
            map[name] = new ProbeStatus(name, available, s.DeniedReads.GetValueOrDefault(name), s.DeniedExamples.GetValueOrDefault(name),
                name == Probe.Bpf ? $"{s.WatchingWhy}; {Probe.Consequence(name)}" : Probe.Consequence(name));
        // Missing only once a read was refused: until a call has been read there is nothing to tell.
        map[Probe.Memory] = new ProbeStatus(Probe.Memory, _arguments.MemoryReadable, 0, null, Probe.Consequence(Probe.Memory));
        map[Probe.Kmsg] = new ProbeStatus(Probe.Kmsg, inputs.KernelLogReadable, 0, null, Probe.Consequence(Probe.Kmsg));
        return map;
    }
}
