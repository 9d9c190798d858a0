using NfsWatch.Core.Detection;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// Explains each stuck thread of a snapshot: what it mounts (its system call's arguments, read in an
/// isolated child with a deadline, or a mount helper's command line), the NFS version and server, the known
/// kernel problem its stack matches, and who blocks whom. Keeps what it read per call, so each call is read
/// once. Not thread-safe: one scan at a time.
/// </summary>
public sealed class HangExplainer
{
    /// <summary>New calls whose arguments are read per scan at most; the rest wait for the next scan.</summary>
    private const int MaxReadsPerScan = 8; // at 1 s each, well inside ScanCycle.Deadline

    private readonly ProcFs _proc;
    private readonly SignatureCatalog _catalog;
    private readonly IsolatedReader? _reader;
    private readonly double _readAfterSeconds;
    private readonly Dictionary<CallKey, MountRequest?> _requests = [];
    private bool? _memoryReadable;

    /// <summary>The ECS task (ARN, "family:revision") of a container id, from a cache; null when unknown or off.</summary>
    public Func<string, (string Arn, string Family)?>? EcsTaskOf { get; set; }

    private readonly record struct CallKey(ThreadKey Thread, int Number, ulong A0, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5)
    {
        public static CallKey Of(StuckThread t) => new(t.Key, t.SyscallNumber, t.Args[0], t.Args[1], t.Args[2], t.Args[3], t.Args[4], t.Args[5]);
    }

    /// <param name="reader">Reads memory and command lines; null to read nothing that could block (scan output then names only what proc tells).</param>
    /// <param name="readAfter">Arguments are read once a call has lasted this long, so short-lived mounts cost nothing.</param>
    public HangExplainer(ProcFs proc, SignatureCatalog catalog, IsolatedReader? reader, TimeSpan readAfter)
    {
        _proc = proc;
        _catalog = catalog;
        _reader = reader;
        _readAfterSeconds = readAfter.TotalSeconds;
    }

    public ScanSnapshot Explain(ScanSnapshot snapshot, KernelLogView? kernelLog = null)
    {
        var kernel = KernelVersion.TryParse(snapshot.Kernel.Release);
        int reads = 0;
        var seen = new HashSet<CallKey>();

        var mounts = new List<StuckThread>(snapshot.MountCalls.Count);
        foreach (var call in snapshot.MountCalls)
        {
            var key = CallKey.Of(call);
            seen.Add(key);
            if (!_requests.TryGetValue(key, out var request) && call.StuckSeconds >= _readAfterSeconds && reads < MaxReadsPerScan && _reader is not null)
            {
                reads++;
                request = ReadRequest(call, out bool final);
                if (final) _requests[key] = request;
            }
            mounts.Add(Identify(Describe(call, request), isMountCall: true, kernel));
        }

        var blocked = new List<StuckThread>(snapshot.NfsBlocked.Count);
        var mountTables = new Dictionary<int, List<MountInfo>?>();
        foreach (var thread in snapshot.NfsBlocked)
        {
            var key = CallKey.Of(thread);
            seen.Add(key);
            if (!_requests.TryGetValue(key, out var request) && thread.StuckSeconds >= _readAfterSeconds && reads < MaxReadsPerScan)
            {
                reads++;
                request = MountOf(thread, snapshot.Kernel.Machine, mountTables, out bool final);
                if (final) _requests[key] = request;
            }
            blocked.Add(Identify(Describe(thread, request), isMountCall: false, kernel));
        }

        foreach (var key in _requests.Keys.Where(k => !seen.Contains(k)).ToList()) _requests.Remove(key);

        // Who owns each stuck thread: its systemd unit and container, from the process's cgroup.
        var cgroups = new Dictionary<int, ProcessCgroup?>();
        ProcessCgroup? CgroupOf(int pid)
        {
            if (!cgroups.TryGetValue(pid, out var cg))
                cgroups[pid] = cg = _proc.TryReadText($"{pid}/cgroup", out _) is { } text ? ProcessCgroup.Parse(text) : null;
            return cg;
        }
        StuckThread Owned(StuckThread t)
        {
            if (CgroupOf(t.Pid) is not { } cg) return t;
            var ecs = cg.ContainerId is null ? null : EcsTaskOf?.Invoke(cg.ContainerId);
            return t with { Unit = Printable.Of(cg.Unit), ContainerId = cg.ContainerId, EcsTask = Printable.Of(ecs?.Arn), EcsTaskFamily = Printable.Of(ecs?.Family) };
        }
        mounts = [.. mounts.Select(Owned)];
        blocked = [.. blocked.Select(Owned)];

        mounts = RoleAnalysis.Assign(mounts);
        if (kernelLog is not null)
        {
            mounts = [.. mounts.Select(t => t with { KernelLog = kernelLog.About(t) })];
            blocked = [.. blocked.Select(t => t with { KernelLog = kernelLog.About(t) })];
        }

        var probes = new Dictionary<string, bool>(snapshot.Probes);
        // Missing only once a read was refused: until a call has been read there is nothing to tell.
        probes[Probe.Memory] = _memoryReadable ?? true;
        var newlyHung = snapshot.NewlyHung.Select(n => mounts.FirstOrDefault(m => m.Key == n.Key) ?? n).ToList();
        return snapshot with { MountCalls = mounts, NfsBlocked = blocked, NewlyHung = newlyHung, Probes = probes };
    }

    /// <summary>Reads what a mount-family call asked for; <paramref name="final"/> is false when it should be tried again later.</summary>
    private MountRequest? ReadRequest(StuckThread call, out bool final)
    {
        final = true;
        var wanted = MountRequest.StringArguments(call.Syscall!, call.Args).Where(a => call.Args[a.Index] != 0).ToList();
        var strings = new Dictionary<string, string?>();
        bool denied = false, timedOut = false;
        if (wanted.Count > 0)
        {
            var values = _reader!.ReadStrings(call.Key, [.. wanted.Select(a => call.Args[a.Index])]);
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

        // A mount helper names its source, target and options on its command line: the fallback when memory
        // could not be read.
        if ((request?.Source is null || request.FsType is null) && HelperCommandLine.IsHelper(call.Comm))
        {
            var cmdline = _reader!.ReadCmdline(call.Key);
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
    private MountRequest? MountOf(StuckThread thread, string machine, Dictionary<int, List<MountInfo>?> tables, out bool final)
    {
        final = true;
        if (thread.SyscallNumber < 0 || SyscallTable.Find(machine, thread.SyscallNumber) is not { } info) return null;
        string? path = null;
        switch (info.Kind)
        {
            case PathArgument.Fd:
                path = _proc.TryReadLink($"{thread.Pid}/fd/{(int)thread.Args[info.Index]}");
                break;
            case PathArgument.Path or PathArgument.DirFdAndPath when _reader is not null:
                var value = _reader.ReadStrings(thread.Key, [thread.Args[info.Index]])[0];
                final = value.Status is not (IsolatedReadStatus.TimedOut or IsolatedReadStatus.Skipped);
                path = MountRequest.Text(value.Bytes);
                if (path is not null && !path.StartsWith('/'))
                {
                    // AT_FDCWD is -100; any other directory file descriptor names the base directory.
                    int dirfd = info.Kind == PathArgument.DirFdAndPath ? (int)thread.Args[0] : -100;
                    string? dir = _proc.TryReadLink(dirfd == -100 ? $"{thread.Pid}/cwd" : $"{thread.Pid}/fd/{dirfd}");
                    path = dir is null ? null : dir.TrimEnd('/') + "/" + path;
                }
                break;
        }
        // pipe:[...], socket:[...], anon_inode:... are no paths; "/a/../b" is normalised before matching.
        if (path is null || !path.StartsWith('/')) return null;
        path = Path.GetFullPath(path);
        if (!tables.TryGetValue(thread.Pid, out var table))
        {
            string? text = _proc.TryReadText($"{thread.Pid}/mountinfo", out _, 16 << 20);
            tables[thread.Pid] = table = text is null ? null : MountInfo.ParseAll(System.Text.Encoding.UTF8.GetBytes(text));
        }
        // The longest mount point wins; of several mounts at one point, the last listed is the one on top.
        var mount = table?.Where(m => Contains(m.MountPoint, path)).OrderBy(m => m.MountPoint.Length).LastOrDefault();
        return mount is null ? null : new MountRequest(mount.FsType, mount.Source, mount.MountPoint, NfsOptions.Redact(mount.SuperOptions), null);
    }

    private static bool Contains(string mountPoint, string path) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);

    private static StuckThread Describe(StuckThread thread, MountRequest? request)
    {
        string? fstype = request?.FsType ?? FsTypeFromStack(thread.Stack);
        string? helper = HelperCommandLine.IsHelper(thread.Comm) ? thread.Comm : null;
        bool nfs = NfsOptions.IsNfs(fstype);
        return thread with
        {
            FsType = fstype,
            How = request?.How,
            Source = request?.Source,
            Target = request?.Target,
            Options = request?.Options,
            // Arguments read from the call are what the kernel got, and the kernel applies its defaults.
            NfsVersion = nfs ? NfsOptions.Version(fstype, request?.Options, fromKernel: request is { FromCall: true }, helper) : null,
            Server = nfs ? NfsOptions.Server(request?.Source, request?.Options) : null,
        };
    }

    /// <summary>When the arguments are unknown, the stack still tells NFS 4 from NFS 2/3 (nfs4_try_get_tree vs nfs_try_get_tree).</summary>
    internal static string? FsTypeFromStack(IReadOnlyList<string> stack)
    {
        if (stack.Any(f => f.StartsWith("nfs4_", StringComparison.Ordinal) || f.StartsWith("nfs41_", StringComparison.Ordinal))) return "nfs4";
        if (stack.Any(f => f is "nfs_try_get_tree" or "nfs_get_tree" or "nfs3_create_server" or "nfs_create_server" or "nfs_start_lockd")) return "nfs";
        return null;
    }

    private StuckThread Identify(StuckThread thread, bool isMountCall, KernelVersion? kernel)
    {
        var match = _catalog.Match(thread, isMountCall, kernel);
        return match is null ? thread : thread with { Signature = match.Value.Signature.ToMatch(), StackRole = match.Value.Pattern.Role };
    }
}
