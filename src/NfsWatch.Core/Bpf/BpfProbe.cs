using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Bpf;

/// <summary>
/// NfsWatch's BPF probe, loaded through libbpf: the mount-family calls in flight, recorded at entry by the
/// per-system-call tracepoints, and the threads a task iterator names (nfswatch.bpf.c says what each part
/// does). A scan then reads the proc files of those threads only. <see cref="TryLoad"/> never throws: whatever
/// the host lacks (the program, libbpf, BTF, capabilities, tracepoints, the verifier's consent) becomes a reason,
/// and NfsWatch walks procfs instead.
/// </summary>
public sealed unsafe class BpfProbe : ICandidateSource, IDisposable
{
    /// <summary>Mount-family calls the map holds at once; one more is counted as missed and found by a procfs walk.</summary>
    public const int DefaultMapEntries = 1024;

    /// <summary>The largest iterator output read in one scan: 24 bytes a thread, far beyond any host's thread count.</summary>
    private const int MaxIteratorBytes = 64 << 20;

    // Capability numbers (include/uapi/linux/capability.h).
    private const int CapSysAdmin = 21, CapPerfmon = 38, CapBpf = 39;

    private nint _object;
    private readonly List<nint> _links = [];
    private nint _iterLink;
    private readonly int _callsFd, _countersFd;
    private readonly int _cpus;
    private ulong _lastMapFull;
    private byte[] _iterBuffer = new byte[64 << 10];

    private BpfProbe(nint obj, int callsFd, int countersFd, int cpus)
    {
        _object = obj;
        _callsFd = callsFd;
        _countersFd = countersFd;
        _cpus = cpus;
    }

    /// <summary>Why the task iterator is not used (the kernel refused it), or null when it is.</summary>
    public string? IteratorProblem { get; private set; }

    public string Description => _iterLink != 0
        ? "mount calls from their system call tracepoints, blocked threads from a task iterator"
        : $"mount calls from their system call tracepoints; blocked threads from a procfs walk every few scans ({IteratorProblem})";

    /// <summary>Mount-family calls recorded and calls missed because the map was full, since load.</summary>
    public (ulong Entered, ulong MapFull) Counters
    {
        get
        {
            var values = stackalloc ulong[Math.Max(_cpus, 1)];
            (ulong entered, ulong full) = (0, 0);
            uint key = BpfConstants.CountEntered;
            if (LibBpf.MapLookup(_countersFd, &key, values) == 0) for (int i = 0; i < _cpus; i++) entered += values[i];
            key = BpfConstants.CountMapFull;
            if (LibBpf.MapLookup(_countersFd, &key, values) == 0) for (int i = 0; i < _cpus; i++) full += values[i];
            return (entered, full);
        }
    }

    /// <summary>
    /// Loads, fills and attaches the probe. Returns null with <paramref name="problem"/> saying what is missing,
    /// such as "no CAP_BPF" or "verifier refused enter_mount: ...".
    /// </summary>
    /// <param name="proc">For the daemon's own capabilities (self/status).</param>
    /// <param name="machine">The kernel's machine (uname -m): which system call numbers mean what.</param>
    public static BpfProbe? TryLoad(ProcFs proc, string machine, out string? problem, int mapEntries = DefaultMapEntries) =>
        TryLoad(proc, machine, out problem, mapEntries, BpfProgram.Load());

    /// <param name="program">The BPF object to load instead of the embedded one (tests: one the verifier refuses).</param>
    internal static BpfProbe? TryLoad(ProcFs proc, string machine, out string? problem, int mapEntries, byte[]? program)
    {
        problem = null;
        if (program is null) { problem = "built without the BPF program (clang or libbpf-dev was missing at build time)"; return null; }
        if (!NativeLibrary.TryLoad(LibBpf.Library, out nint library)) { problem = $"{LibBpf.Library} not found (install libbpf1)"; return null; }
        NativeLibrary.Free(library);
        // CO-RE relocations and the task iterator need the kernel's own type information.
        if (!File.Exists("/sys/kernel/btf/vmlinux")) { problem = "no BTF (/sys/kernel/btf/vmlinux is missing: a kernel without CONFIG_DEBUG_INFO_BTF)"; return null; }
        if (MissingCapabilities(proc) is { } missing) { problem = missing; return null; }
        if (PidNamespaceProblem(proc) is { } namespaced) { problem = namespaced; return null; }
        if (TracepointProblem() is { } noTracepoints) { problem = noTracepoints; return null; }

        lock (Messages)
        {
            Messages.Clear();
            LibBpf.SetPrint(&Print);
            try
            {
                var probe = Open(program, machine, mapEntries, withIterator: true, out problem);
                if (probe is null)
                {
                    // A kernel that refuses the task iterator (before 5.15 it lacks bpf_task_pt_regs) can still
                    // record the mount calls.
                    string iteratorProblem = problem!;
                    Messages.Clear();
                    probe = Open(program, machine, mapEntries, withIterator: false, out problem);
                    if (probe is not null) probe.IteratorProblem = "task iterator refused: " + iteratorProblem;
                    else problem = iteratorProblem;
                }
                return probe;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                problem = $"{LibBpf.Library} is not a usable libbpf: {e.Message}";
                return null;
            }
            finally
            {
                LibBpf.SetPrint(null);
            }
        }
    }

    private static BpfProbe? Open(byte[] program, string machine, int mapEntries, bool withIterator, out string? problem)
    {
        problem = null;
        nint obj;
        fixed (byte* p = program) obj = LibBpf.ObjectOpenMem(p, (nuint)program.Length, 0);
        if (obj == 0) { problem = $"libbpf cannot open the program: {Errno(Marshal.GetLastSystemError())}{LastMessage()}"; return null; }
        var iterator = FindProgram(obj, "blocked_tasks");
        if (!withIterator && iterator != 0) LibBpf.ProgramSetAutoload(iterator, false);
        nint calls = FindMap(obj, "mount_calls"), counters = FindMap(obj, "counters"), interest = FindMap(obj, "interest");
        if (calls == 0 || counters == 0 || interest == 0) { LibBpf.ObjectClose(obj); problem = "the BPF program lacks its maps"; return null; }
        LibBpf.MapSetMaxEntries(calls, (uint)mapEntries);
        int err = LibBpf.ObjectLoad(obj);
        if (err != 0)
        {
            problem = LoadFailure(-err);
            LibBpf.ObjectClose(obj);
            return null;
        }
        // A per-CPU lookup copies one value per possible CPU: a count libbpf could not read would overrun the buffer.
        int cpus = LibBpf.NumPossibleCpus();
        if (cpus < 1) { LibBpf.ObjectClose(obj); problem = $"libbpf cannot count the possible CPUs: {Errno(-cpus)}"; return null; }
        var probe = new BpfProbe(obj, LibBpf.MapFd(calls), LibBpf.MapFd(counters), cpus) { _mapEntries = mapEntries };
        probe.FillInterest(LibBpf.MapFd(interest), machine);
        // Exits before entries: a call that enters while only its entry is attached would never be removed.
        if (!probe.AttachAll("exit_", out problem) || !probe.AttachAll("enter_", out problem))
        {
            probe.Dispose();
            return null;
        }
        if (withIterator && iterator != 0)
        {
            probe._iterLink = LibBpf.ProgramAttach(iterator);
            if (probe._iterLink == 0)
            {
                problem = $"cannot attach the task iterator: {Errno(Marshal.GetLastSystemError())}{LastMessage()}";
                probe.Dispose();
                return null;
            }
        }
        return probe;
    }

    private bool AttachAll(string prefix, out string? problem)
    {
        problem = null;
        for (nint prog = LibBpf.NextProgram(_object, 0); prog != 0; prog = LibBpf.NextProgram(_object, prog))
        {
            string name = Marshal.PtrToStringUTF8((nint)LibBpf.ProgramName(prog)) ?? "";
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            nint link = LibBpf.ProgramAttach(prog);
            if (link == 0)
            {
                problem = $"cannot attach {name} to its tracepoint: {Errno(Marshal.GetLastSystemError())}{LastMessage()}";
                return false;
            }
            _links.Add(link);
        }
        return true;
    }

    /// <summary>Tells the iterator which numbers are mount-family calls and which name a file (and by which argument).</summary>
    private void FillInterest(int fd, string machine)
    {
        var mount = MountSyscalls.ForMachine(machine);
        for (uint nr = 0; nr < BpfConstants.NrMax; nr++)
        {
            uint value = 0;
            if (mount.TryGetName((int)nr, out _)) value = BpfConstants.CallMount;
            else if (SyscallTable.Find(machine, (int)nr) is { } info && info.Kind != PathArgument.None)
                value = (info.Kind == PathArgument.Fd ? BpfConstants.CallFd : BpfConstants.CallPath) | (uint)info.Index << 8;
            if (value != 0) LibBpf.MapUpdate(fd, &nr, &value, 0);
        }
    }

    private int _mapEntries = DefaultMapEntries;
    private readonly HashSet<uint> _walked = [];

    public bool TryCollect(KernelCandidates into, bool listTasks, out string? problem)
    {
        problem = null;
        into.Calls.Clear();
        long now = Stopwatch.GetTimestamp();
        MountCallRecord record;
        uint key = 0, next;
        bool first = true;
        // Bounded: a hash map's keys, even while calls come and go, are walked in at most this many steps. A key
        // deleted during the walk sends the kernel back to the first bucket (kernel/bpf/hashtab.c,
        // htab_map_get_next_key), so a call can come twice: each thread is taken once.
        _walked.Clear();
        for (int steps = 0; steps < _mapEntries * 4; steps++)
        {
            if (LibBpf.MapGetNextKey(_callsFd, first ? null : &key, &next) != 0) break;
            first = false;
            key = next;
            if (!_walked.Add(next)) continue;
            if (LibBpf.MapLookup(_callsFd, &next, &record) != 0) continue; // it left the call meanwhile
            into.Calls.Add(ToCall(record, now));
        }
        ulong full = Counters.MapFull;
        into.MissedCalls = (long)(full - _lastMapFull);
        _lastMapFull = full;
        into.CanListTasks = _iterLink != 0;
        if (_iterLink == 0 || !listTasks)
        {
            into.Tasks = null;
            return true;
        }
        return ReadIterator(into, out problem);
    }

    private bool ReadIterator(KernelCandidates into, out string? problem)
    {
        problem = null;
        int fd = LibBpf.IterCreate(LibBpf.LinkFd(_iterLink));
        if (fd < 0) { problem = $"cannot start the task iterator: {Errno(-fd)}"; return false; }
        int length = 0;
        try
        {
            while (true)
            {
                if (length == _iterBuffer.Length)
                {
                    if (_iterBuffer.Length >= MaxIteratorBytes) { problem = "the task iterator wrote more than 64 MiB"; return false; }
                    Array.Resize(ref _iterBuffer, _iterBuffer.Length * 2);
                }
                nint n;
                fixed (byte* b = _iterBuffer) n = LibBpf.Read(fd, b + length, _iterBuffer.Length - length);
                if (n < 0)
                {
                    int errno = Marshal.GetLastSystemError();
                    if (errno == 4) continue; // EINTR
                    problem = $"reading the task iterator failed: {Errno(errno)}";
                    return false;
                }
                if (n == 0) break;
                length += (int)n;
            }
        }
        finally { LibBpf.Close(fd); }
        var tasks = into.Tasks ??= [];
        tasks.Clear();
        into.ThreadsVisited = 0;
        var records = MemoryMarshal.Cast<byte, TaskRecord>(_iterBuffer.AsSpan(0, length - length % sizeof(TaskRecord)));
        foreach (var r in records)
        {
            if (r.Why == TaskRecord.End) into.ThreadsVisited = (int)r.Tid;
            else if (r.Why is >= 1 and <= 5) tasks.Add(new CandidateTask((int)r.Pid, (int)r.Tid, (CandidateReason)r.Why));
        }
        return true;
    }

    private static InFlightCall ToCall(in MountCallRecord r, long now)
    {
        var args = new SyscallArgs();
        var strings = new List<CapturedString>(MountCallRecord.Strings);
        fixed (MountCallRecord* p = &r)
        {
            for (int i = 0; i < 6; i++) args[i] = p->Args[i];
            for (int s = 0; s < MountCallRecord.Strings; s++)
            {
                int index = p->Arg[s], len = p->Len[s];
                if (index > 5) continue;
                if (len <= 0)
                {
                    // 0: a null pointer (no string); negative: the page was not there to copy from.
                    strings.Add(new CapturedString(index, len == 0 ? [] : null, false));
                    continue;
                }
                len = Math.Min(len, MountCallRecord.StringBytes);
                var bytes = new ReadOnlySpan<byte>(p->Str + s * MountCallRecord.StringBytes, len - 1).ToArray();
                strings.Add(new CapturedString(index, bytes, len == MountCallRecord.StringBytes));
            }
        }
        // bpf_ktime_get_ns is CLOCK_MONOTONIC, which Stopwatch reads too on Linux.
        double nowNs = now * (1e9 / Stopwatch.Frequency);
        double age = Math.Max(0, (nowNs - r.StartNs) / 1e9);
        return new InFlightCall((int)r.Pid, (int)r.Tid, r.Nr, args, r.StartNs, age, strings);
    }

    public void Forget(int tid, ulong startNs)
    {
        uint key = (uint)tid;
        MountCallRecord record;
        if (LibBpf.MapLookup(_callsFd, &key, &record) == 0 && record.StartNs == startNs) LibBpf.MapDelete(_callsFd, &key);
    }

    /// <summary>Detaches every program (entries first, so that no call is recorded without its exit) and frees the maps.</summary>
    public void Dispose()
    {
        if (_iterLink != 0) LibBpf.LinkDestroy(_iterLink);
        _iterLink = 0;
        for (int i = _links.Count - 1; i >= 0; i--) LibBpf.LinkDestroy(_links[i]);
        _links.Clear();
        if (_object != 0) LibBpf.ObjectClose(_object);
        _object = 0;
    }

    /// <summary>
    /// Loading needs CAP_BPF and CAP_PERFMON (tracing programs, perf_event_open of a tracepoint), or CAP_SYS_ADMIN,
    /// which covers both (include/uapi/linux/capability.h; kernel/bpf/syscall.c bpf_prog_load).
    /// </summary>
    private static string? MissingCapabilities(ProcFs proc)
    {
        string? status = proc.TryReadText("self/status", out _);
        string? line = status?.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out ulong caps))
            return "cannot read the daemon's own capabilities (self/status)";
        bool Has(int cap) => (caps & (1UL << cap)) != 0;
        if (Has(CapSysAdmin) || (Has(CapBpf) && Has(CapPerfmon))) return null;
        return !Has(CapBpf) && !Has(CapPerfmon) ? "no CAP_BPF and CAP_PERFMON" : !Has(CapBpf) ? "no CAP_BPF" : "no CAP_PERFMON";
    }

    /// <summary>
    /// libbpf attaches a tracepoint by the id tracefs gives it (events/syscalls/sys_enter_mount/id), under
    /// /sys/kernel/debug/tracing when debugfs is mounted, else /sys/kernel/tracing (libbpf.c tracefs_path).
    /// </summary>
    private static string? TracepointProblem()
    {
        foreach (string root in new[] { "/sys/kernel/debug/tracing", "/sys/kernel/tracing" })
        {
            if (File.Exists($"{root}/events/syscalls/sys_enter_mount/id")) return LayoutProblem($"{root}/events/syscalls/sys_enter_mount/format");
            if (Directory.Exists($"{root}/events")) return $"no syscall tracepoints in {root}/events (a kernel without CONFIG_FTRACE_SYSCALLS)";
        }
        return "no syscall tracepoints: tracefs is not mounted at /sys/kernel/tracing";
    }

    /// <summary>
    /// The program reads a tracepoint's record as 8 bytes of common fields, the call's number at 8 and its arguments
    /// from 16 (kernel/trace/trace_syscalls.c, struct syscall_tp_t). A kernel whose common fields are longer (one that
    /// adds a lazy-preemption count to struct trace_entry) or whose number is a long before arguments at 24 would
    /// give wrong numbers and pointers: the format file says where the fields are, and such a kernel is refused.
    /// </summary>
    internal static string? LayoutProblem(string formatFile)
    {
        string text;
        try { text = File.ReadAllText(formatFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"cannot read {formatFile}: {e.Message}"; }
        int? nr = null, first = null;
        foreach (string line in text.Split('\n'))
        {
            int field = line.IndexOf("field:", StringComparison.Ordinal), at = line.IndexOf("offset:", StringComparison.Ordinal);
            if (field < 0 || at < 0) continue;
            int end = line.IndexOf(';', at);
            if (end < 0 || !int.TryParse(line.AsSpan(at + 7, end - at - 7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int offset)) continue;
            string declaration = line[(field + 6)..line.IndexOf(';', field)];
            if (declaration.EndsWith(" __syscall_nr", StringComparison.Ordinal)) nr = offset;
            else if (nr is not null && first is null) first = offset;
        }
        if (nr == 8 && first == 16) return null;
        return $"the system call tracepoints' records are laid out differently on this kernel (number at {nr?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, " +
               $"arguments from {first?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}; the probe reads 8 and 16: {formatFile})";
    }

    /// <summary>
    /// The probe records host pids and tids; in a pid namespace of its own the daemon would match them against other
    /// threads. The initial pid namespace has the fixed inode PROC_PID_INIT_INO (include/linux/proc_ns.h).
    /// </summary>
    internal static string? PidNamespaceProblem(ProcFs proc)
    {
        const string Initial = "pid:[4026531836]"; // 0xEFFFFFFC
        string? ns = proc.TryReadLink("self/ns/pid");
        return ns is null ? "cannot read the daemon's pid namespace (self/ns/pid)"
            : ns == Initial ? null
            : $"the daemon runs in a pid namespace of its own ({ns}): the probe sees the host's pids";
    }

    private static string LoadFailure(int errno)
    {
        lock (Messages)
        {
            // libbpf prints the verifier's log in one message, between these markers (libbpf.c bpf_object_load_prog);
            // its last lines are the verifier's reason, then its statistics.
            const string Begin = "-- BEGIN PROG LOAD LOG --", End = "-- END PROG LOAD LOG --";
            string? message = Messages.FirstOrDefault(m => m.Contains(Begin, StringComparison.Ordinal));
            if (message is not null)
            {
                string program = Between(message, "prog '", "'") ?? "?";
                string log = Between(message, Begin, End) ?? message[(message.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length)..];
                var lines = log.Split('\n').Select(l => l.Trim())
                    .Where(l => l.Length > 0 && !l.StartsWith("processed ", StringComparison.Ordinal) && !l.StartsWith("verification time", StringComparison.Ordinal)
                                && !l.StartsWith("stack depth", StringComparison.Ordinal)).ToList();
                string last = lines.Count > 0 ? Printable.Of(lines[^1])! : Errno(errno);
                return $"verifier refused {program}: {last}";
            }
            return errno == 1 ? "bpf() refused: operation not permitted (CAP_BPF and CAP_PERFMON, or a seccomp filter without bpf)"
                : $"libbpf cannot load the program: {Errno(errno)}{LastMessage()}";
        }
    }

    private static string? Between(string text, string start, string end)
    {
        int a = text.IndexOf(start, StringComparison.Ordinal);
        if (a < 0) return null;
        a += start.Length;
        int b = text.IndexOf(end, a, StringComparison.Ordinal);
        return b < 0 ? null : text[a..b];
    }

    private static string LastMessage()
    {
        lock (Messages)
        {
            var last = Messages.LastOrDefault(m => m.StartsWith("libbpf: ", StringComparison.Ordinal));
            return last is null ? "" : $" ({Printable.Of(last.Trim())})";
        }
    }

    private static string Errno(int errno) => errno switch
    {
        1 => "operation not permitted",
        2 => "not found",
        13 => "permission denied",
        22 => "invalid argument",
        _ => new System.ComponentModel.Win32Exception(errno).Message,
    };

    private static nint FindProgram(nint obj, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes) return LibBpf.FindProgram(obj, p);
    }

    private static nint FindMap(nint obj, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes) return LibBpf.FindMap(obj, p);
    }

    /// <summary>libbpf's messages while loading, for the reason a load failed (its debug level is left out).</summary>
    private static readonly List<string> Messages = [];

    [UnmanagedCallersOnly]
    private static int Print(int level, byte* format, nint args)
    {
        if (level >= 2) return 0; // LIBBPF_DEBUG
        const int size = 4096;
        byte* buffer = stackalloc byte[size];
        int n = LibBpf.VsnPrintf(buffer, size, format, args);
        if (n <= 0) return 0;
        string text = Encoding.UTF8.GetString(buffer, Math.Min(n, size - 1));
        if (Messages.Count < 2000) Messages.Add(text);
        return 0;
    }
}
