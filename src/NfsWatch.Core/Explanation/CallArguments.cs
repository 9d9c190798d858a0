using NfsWatch.Core.Detection;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// What a thread's call is about: for a mount-family call, what it asked for (its arguments, read in an
/// isolated child with a deadline, or a mount helper's command line); for a thread blocked in a file system
/// call, the mount its file is on. Keeps what it read per call, so each call is read once. Never touches a
/// mount point: files are named through /proc links and matched against the process's own mount table. Not
/// thread-safe: one scan at a time.
/// </summary>
/// <remarks>
/// Reads in an isolated child cost up to the reader's deadline each, so a scan starts at most
/// <see cref="MaxReadsPerScan"/> of them, planned at the start of the scan so that no one user can take them all:
/// a process the reader remembers as wedged is skipped and costs nothing; calls the kernel log names hung come
/// first, then mount calls already inside NFS or SMB code (only the administrator gets there: mount(2) checks
/// privileges before it calls the filesystem), then the rest; within each, processes take turns (one call each per
/// round, the least recently served first), so every process waiting for a read gets one within a few scans
/// however many processes or threads another user has. Reads that need no child (a descriptor's link) are free.
/// Threads of one process in the same mount-family call with the same arguments share one address space, so one
/// read answers for all of them (dockerd's threads, or a helper's, mounting the same volume).
/// </remarks>
public sealed class CallArguments(ProcFs proc, IsolatedReader? reader, TimeSpan readAfter)
{
    /// <summary>New calls whose arguments are read per scan at most; the rest wait for the next scan.</summary>
    public const int MaxReadsPerScan = 8; // at 1 s each, well inside ScanCycle.Deadline

    private readonly double _readAfterSeconds = readAfter.TotalSeconds;
    private readonly Dictionary<CallKey, MountRequest?> _requests = [];
    private readonly Dictionary<int, List<MountInfo>?> _mountTables = [];
    private readonly HashSet<CallKey> _seen = [];
    private readonly HashSet<PlanKey> _planned = [];
    private readonly Dictionary<PlanKey, MountRequest?> _shared = [];
    private readonly HashSet<PlanKey> _sharedSeen = [];
    private readonly Dictionary<int, long> _lastServed = [];
    private long _scan;
    private bool? _memoryReadable;

    /// <summary>False once a read of a process's memory was refused (the "memory" probe); true until then.</summary>
    public bool MemoryReadable => _memoryReadable ?? true;

    private readonly record struct CallKey(ThreadKey Thread, int Number, ulong A0, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5)
    {
        public static CallKey Of(ObservedThread t) => new(t.Key, t.SyscallNumber, t.Args[0], t.Args[1], t.Args[2], t.Args[3], t.Args[4], t.Args[5]);
    }

    /// <summary>
    /// What one isolated read answers: a mount-family call of a process with these arguments (its threads share the
    /// memory the arguments point to), or one thread's call otherwise (a relative path depends on the thread's own
    /// working directory).
    /// </summary>
    private readonly record struct PlanKey(int Pid, int Tid, int Number, ulong A0, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5)
    {
        public static PlanKey Of(ObservedThread t) =>
            new(t.Pid, t.Kind == ThreadKind.MountCall ? 0 : t.Tid, t.SyscallNumber, t.Args[0], t.Args[1], t.Args[2], t.Args[3], t.Args[4], t.Args[5]);
    }

    /// <summary>
    /// Starts a scan and plans its isolated reads among <paramref name="threads"/>: which calls get one now (see the
    /// remarks on the class). <paramref name="namedHung"/>: threads the kernel log names hung, read first and
    /// whatever their age.
    /// </summary>
    public void BeginScan(IReadOnlyList<ObservedThread> threads, IReadOnlySet<int> namedHung, string machine)
    {
        _scan++;
        _seen.Clear();
        _mountTables.Clear();
        _planned.Clear();
        _sharedSeen.Clear();
        if (reader is null) return;
        var rounds = threads
            .Where(t => !t.IsKernelThread && !_requests.ContainsKey(CallKey.Of(t)) && !_shared.ContainsKey(PlanKey.Of(t)) && NeedsChild(t, machine) && Captured(t) is null
                        && (t.StuckSeconds >= _readAfterSeconds || namedHung.Contains(t.Tid)) && !reader.IsWedged(t.Pid))
            .OrderByDescending(t => namedHung.Contains(t.Tid)).ThenByDescending(t => t.StuckSeconds)
            .DistinctBy(PlanKey.Of)
            .GroupBy(t => (Tier: namedHung.Contains(t.Tid) ? 0 : PastPrivilegeCheck(t) ? 1 : 2, t.Pid))
            .SelectMany(g => g.OrderByDescending(t => t.StuckSeconds).Select((t, turn) => (g.Key.Tier, Turn: turn, Thread: t)))
            .OrderBy(c => c.Tier).ThenBy(c => c.Turn)
            .ThenBy(c => _lastServed.GetValueOrDefault(c.Thread.Pid, -1)).ThenByDescending(c => c.Thread.StuckSeconds)
            .Take(MaxReadsPerScan);
        foreach (var (_, _, t) in rounds)
        {
            _planned.Add(PlanKey.Of(t));
            _lastServed[t.Pid] = _scan;
        }
        // Processes that are gone need no turn.
        if (_lastServed.Count > 4 * MaxReadsPerScan + threads.Count)
            foreach (int pid in _lastServed.Keys.Except(threads.Select(t => t.Pid)).ToList()) _lastServed.Remove(pid);
    }

    /// <summary>Forgets the calls this scan did not ask about.</summary>
    public void EndScan()
    {
        foreach (var key in _requests.Keys.Where(k => !_seen.Contains(k)).ToList()) _requests.Remove(key);
        foreach (var key in _shared.Keys.Where(k => !_sharedSeen.Contains(k)).ToList()) _shared.Remove(key);
    }

    /// <summary>True for a call whose explanation needs a read in a child: a mount call's arguments, a path argument.</summary>
    private static bool NeedsChild(ObservedThread t, string machine) =>
        t.Kind == ThreadKind.MountCall
        || (t.SyscallNumber >= 0 && SyscallTable.Find(machine, t.SyscallNumber) is { Kind: PathArgument.Path or PathArgument.DirFdAndPath });

    /// <summary>A mount call whose stack is in NFS or SMB code: past mount(2)'s privilege check.</summary>
    private static bool PastPrivilegeCheck(ObservedThread t) =>
        t.Kind == ThreadKind.MountCall && FileSystems.FamilyOf(FileSystems.FsTypeFromStack(t.Stack, t.StackModules)) is FsFamily.Nfs or FsFamily.Cifs;

    /// <summary>The request of a call, or of the mount a blocked thread waits on; null while unknown.</summary>
    /// <param name="force">Read now even if the call is younger than the read-after age (a thread the kernel log names hung).</param>
    public MountRequest? Of(ObservedThread thread, string machine, bool force = false)
    {
        var key = CallKey.Of(thread);
        _seen.Add(key);
        var plan = PlanKey.Of(thread);
        _sharedSeen.Add(plan);
        if (_requests.TryGetValue(key, out var known)) return known;
        // Strings the kernel probe copied at entry cost nothing to use: no child, no waiting.
        if (thread.Kind == ThreadKind.MountCall && Captured(thread) is { } captured)
            return _requests[key] = FromStrings(thread, captured);
        if (_shared.TryGetValue(plan, out var sibling)) return _requests[key] = sibling;
        if (thread.StuckSeconds < _readAfterSeconds && !force) return null;
        if (thread.IsKernelThread) return null;
        // A read in a child waits for its turn (BeginScan's plan); a descriptor's link costs nothing.
        if (reader is not null && NeedsChild(thread, machine) && !_planned.Remove(plan)) return null;
        bool final;
        var request = thread.Kind == ThreadKind.MountCall ? ReadRequest(thread, out final) : MountOf(thread, machine, out final);
        if (final) _requests[key] = _shared[plan] = request;
        return request;
    }

    /// <summary>
    /// The string arguments of a mount call as the kernel probe copied them at entry, by meaning; null when the
    /// probe copied none, or lacks the source, target or key (a page that was not resident): then memory is read.
    /// A string cut at the probe's limit ends in "…", options without their last, cut one.
    /// </summary>
    private static Dictionary<string, string?>? Captured(ObservedThread call)
    {
        if (call.CapturedStrings is not { } captured || call.Syscall is null) return null;
        var strings = new Dictionary<string, string?>();
        foreach (var a in MountRequest.StringArguments(call.Syscall, call.Args))
        {
            if (call.Args[a.Index] == 0) continue;
            var s = captured.FirstOrDefault(c => c.Index == a.Index);
            // A bind or move mount's fstype and data are often stale pointers the kernel ignores: only what names
            // the mount must be there.
            if (s?.Bytes is null)
            {
                if (a.Meaning is "source" or "target" or "key") return null;
                continue;
            }
            string? text = MountRequest.Text(s.Bytes);
            if (text is not null && s.Truncated)
                text = a.Meaning is "data" && text.LastIndexOf(',') is > 0 and int comma ? text[..comma] + ",…" : text + "…";
            strings[a.Meaning] = text;
        }
        return strings;
    }

    /// <summary>The request from strings already in hand; an unmount's filesystem from the process's mount table.</summary>
    private MountRequest? FromStrings(ObservedThread call, Dictionary<string, string?> strings)
    {
        var request = strings.Count > 0 ? MountRequest.From(call.Syscall!, call.Args, strings) : null;
        if (call.Syscall == "umount2" && request?.Target is { } target && MountAt(call.Pid, target, exact: true) is { } mounted)
            request = request with { FsType = mounted.FsType, Source = mounted.Source, Options = NfsOptions.Redact(mounted.SuperOptions), Device = $"{mounted.Major}:{mounted.Minor}" };
        return request;
    }

    /// <summary>Reads what a mount-family call asked for; <paramref name="final"/> is false when it should be tried again later.</summary>
    private MountRequest? ReadRequest(ObservedThread call, out bool final)
    {
        final = true;
        if (reader is null) return null;
        var wanted = MountRequest.StringArguments(call.Syscall!, call.Args).Where(a => call.Args[a.Index] != 0).ToList();
        var strings = new Dictionary<string, string?>();
        bool denied = false, timedOut = false;
        if (wanted.Count > 0)
        {
            var values = reader.ReadStrings(call.Key, [.. wanted.Select(a => call.Args[a.Index])]);
            for (int i = 0; i < wanted.Count; i++)
            {
                var v = values[i];
                if (v.Status == IsolatedReadStatus.Ok) strings[wanted[i].Meaning] = MountRequest.Text(v.Bytes);
                denied |= v.Status == IsolatedReadStatus.Denied;
                timedOut |= v.Status is IsolatedReadStatus.TimedOut or IsolatedReadStatus.Skipped;
            }
            if (values.Any(v => v.Status == IsolatedReadStatus.Ok)) _memoryReadable = true;
            else if (denied) _memoryReadable = false;
        }
        var request = strings.Count > 0 ? MountRequest.From(call.Syscall!, call.Args, strings) : null;

        // An unmount names only its target: the filesystem is the one mounted there, in the process's own table.
        if (call.Syscall == "umount2" && request?.Target is { } target && MountAt(call.Pid, target, exact: true) is { } mounted)
            request = request with { FsType = mounted.FsType, Source = mounted.Source, Options = NfsOptions.Redact(mounted.SuperOptions), Device = $"{mounted.Major}:{mounted.Minor}" };

        // A mount helper names its source, target and options on its command line: the fallback when memory
        // could not be read.
        if ((request?.Source is null || request.FsType is null) && HelperCommandLine.IsHelper(call.Comm))
        {
            var cmdline = reader.ReadCmdline(call.Key);
            if (cmdline.Status == IsolatedReadStatus.Ok && HelperCommandLine.Parse(cmdline.Bytes!) is { } fromHelper)
                request = request is null ? fromHelper : request with
                {
                    FsType = request.FsType ?? fromHelper.FsType,
                    Source = request.Source ?? fromHelper.Source,
                    Target = request.Target ?? fromHelper.Target,
                    Options = request.Options ?? fromHelper.Options,
                };
            timedOut |= cmdline.Status is IsolatedReadStatus.TimedOut or IsolatedReadStatus.Skipped;
        }
        final = !timedOut;
        return request;
    }

    /// <summary>The mount a blocked thread is waiting on: the file its call names, matched to the process's mount table.</summary>
    private MountRequest? MountOf(ObservedThread thread, string machine, out bool final)
    {
        final = true;
        if (thread.SyscallNumber < 0 || SyscallTable.Find(machine, thread.SyscallNumber) is not { } info) return null;
        string? path = null;
        switch (info.Kind)
        {
            case PathArgument.Fd:
                path = proc.TryReadLink($"{thread.Pid}/fd/{(int)thread.Args[info.Index]}");
                break;
            case PathArgument.Path or PathArgument.DirFdAndPath when reader is not null:
                var value = reader.ReadStrings(thread.Key, [thread.Args[info.Index]])[0];
                final = value.Status is not (IsolatedReadStatus.TimedOut or IsolatedReadStatus.Skipped);
                path = MountRequest.Text(value.Bytes);
                if (path is not null && !path.StartsWith('/'))
                {
                    // AT_FDCWD is -100; any other directory file descriptor names the base directory.
                    int dirfd = info.Kind == PathArgument.DirFdAndPath ? (int)thread.Args[0] : -100;
                    string? dir = proc.TryReadLink(dirfd == -100 ? $"{thread.Pid}/cwd" : $"{thread.Pid}/fd/{dirfd}");
                    path = dir is null ? null : dir.TrimEnd('/') + "/" + path;
                }
                break;
        }
        // pipe:[...], socket:[...], anon_inode:... are no paths; "/a/../b" is normalised before matching.
        if (path is null || !path.StartsWith('/')) return null;
        path = Path.GetFullPath(path);
        var mount = MountAt(thread.Pid, path, exact: false);
        return mount is null ? null : new MountRequest(mount.FsType, mount.Source, mount.MountPoint, NfsOptions.Redact(mount.SuperOptions), null)
        {
            Path = path,
            Device = $"{mount.Major}:{mount.Minor}",
        };
    }

    /// <summary>
    /// The mount a kernel thread works for, as its name tells: a writeback worker names the device it flushes
    /// ("kworker/u16:3+flush-0:53"), an NFSv4 state manager its server ("10.0.0.5-manager"). Matched against
    /// the host's mount table (PID 1's).
    /// </summary>
    public MountRequest? OfKernelThread(ObservedThread thread)
    {
        var table = Table(1);
        if (table is null) return null;
        string comm = thread.Comm;
        int flush = comm.IndexOf("flush-", StringComparison.Ordinal);
        if (flush >= 0 && comm[(flush + 6)..].Split(':') is [var major, var minor]
            && uint.TryParse(major, out uint maj) && uint.TryParse(minor, out uint min)
            && table.LastOrDefault(m => m.Major == maj && m.Minor == min) is { } flushed)
            return Request(flushed);
        if (NfsStateManager.AddressOf(comm) is { } address
            && table.LastOrDefault(m => NfsOptions.IsNfs(m.FsType) && (NfsOptions.Option(m.SuperOptions, "addr") ?? NfsOptions.Server(m.Source, null)) is { } a
                                        && a.StartsWith(address, StringComparison.Ordinal)) is { } managed)
            return Request(managed) with { Target = null, Source = null };
        return null;
    }

    /// <summary>
    /// For a thread whose file cannot be named (exiting, in sync, a descriptor already closed) but whose stack
    /// says which kind of filesystem it waits on: the one mount of that kind in its process's table, or, when
    /// several are there but agree on type and options that matter (server, version), what they share.
    /// </summary>
    public MountRequest? OnlyMountOf(int pid, FsFamily family)
    {
        // An exiting process has released its namespaces before it closes its files: its table reads empty,
        // and the host's (pid 1's) is the one left to look in.
        var table = Table(pid) is { Count: > 0 } own ? own : Table(1);
        var mounts = table?.Where(m => FileSystems.FamilyOf(m.FsType) == family).ToList();
        if (mounts is null || mounts.Count == 0) return null;
        if (mounts.Count == 1) return Request(mounts[0]);
        var first = mounts[0];
        string? server = FileSystems.ServerOf(first.FsType, first.Source, first.SuperOptions);
        string? version = NfsOptions.IsNfs(first.FsType) ? NfsOptions.Version(first.FsType, first.SuperOptions, fromKernel: true) : null;
        bool agree = server is not null && mounts.All(m => m.FsType == first.FsType && FileSystems.ServerOf(m.FsType, m.Source, m.SuperOptions) == server
            && (!NfsOptions.IsNfs(m.FsType) || NfsOptions.Version(m.FsType, m.SuperOptions, fromKernel: true) == version));
        return agree ? Request(first) with { Source = null, Target = null } : null;
    }

    /// <summary>The comm of a process (its leader's stat), or null when it is gone.</summary>
    public string? CommOf(int pid)
    {
        string? text = proc.TryReadText($"{pid}/stat", out _);
        if (text is null) return null;
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return ThreadStat.TryParse(bytes, out var stat, out _) ? Printable.Of(stat.Comm(bytes)) : null;
    }

    private static MountRequest Request(MountInfo m) =>
        new(m.FsType, m.Source, m.MountPoint, NfsOptions.Redact(m.SuperOptions), null) { Device = $"{m.Major}:{m.Minor}" };

    private List<MountInfo>? Table(int pid)
    {
        if (!_mountTables.TryGetValue(pid, out var table))
        {
            string? text = proc.TryReadText($"{pid}/mountinfo", out _, 16 << 20);
            _mountTables[pid] = table = text is null ? null : MountInfo.ParseAll(System.Text.Encoding.UTF8.GetBytes(text));
        }
        return table;
    }

    /// <summary>
    /// The mount at <paramref name="path"/> (exact) or holding it (the longest mount point; of several mounts at
    /// one point, the last listed is the one on top), in the process's own mount table.
    /// </summary>
    private MountInfo? MountAt(int pid, string path, bool exact)
    {
        var table = Table(pid);
        if (table is null) return null;
        if (exact) return table.LastOrDefault(m => m.MountPoint == path.TrimEnd('/') || (path == "/" && m.MountPoint == "/"));
        return table.Where(m => Contains(m.MountPoint, path)).OrderBy(m => m.MountPoint.Length).LastOrDefault();
    }

    private static bool Contains(string mountPoint, string path) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);
}
