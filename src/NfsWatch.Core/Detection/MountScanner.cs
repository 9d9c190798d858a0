using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>
/// One pass over every thread of the proc tree: finds the threads inside a mount-family system call and
/// tells how long each has been there, and the threads a filesystem may be holding outside one (see
/// <see cref="ThreadKind.Blocked"/>). Per process, the leader's stat; per thread, one cheap read (syscall),
/// and stat only for a thread that is neither running nor in an idle wait (<see cref="MountSyscalls.IsIdleWait"/>)
/// or whose process is exiting; wchan only for those asleep in a file system call; stack only for the few
/// threads in a mount call, in uninterruptible sleep or waiting in filesystem code, sched for those reported.
/// Not thread-safe: one scan at a time.
/// </summary>
public sealed class MountScanner
{
    private const int MaxErrorSamples = 5;

    private readonly ProcFs _proc;
    private readonly MountSyscalls _syscalls;
    private readonly MountCallTracker _tracker = new();
    private readonly TimeProvider _time;
    private readonly double _threshold;
    private readonly List<int> _pids = [];
    private readonly List<int> _tids = [];
    private byte[] _buffer = new byte[16384];
    private byte[] _statBuffer = new byte[1024]; // keeps the stat line while other files are read

    // Per-scan state, reset by Scan().
    private readonly Dictionary<string, int> _errors = [];
    private double? _schedNowMs;
    private readonly List<string> _errorSamples = [];
    private readonly Dictionary<string, int> _denied = [];
    private readonly Dictionary<string, string> _deniedExample = [];

    private long _position; // pid << 32 | tid of the thread being read: who a stalled scan is stuck on

    // The kernel probe's view, when there is one (see Candidates).
    private readonly KernelCandidates _kernel = new();
    private readonly Dictionary<int, InFlightCall> _inFlight = [];
    private readonly HashSet<int> _matched = [];
    private List<(int Pid, int Tid)> _lastBlocked = [];
    private int _lastWalkThreads;
    private long _scans;
    private int _stale;

    /// <summary>Processes to skip because their proc files blocked an earlier scan; shared by the scanners that replace each other.</summary>
    public StalledReads Stalled { get; init; } = new();

    /// <summary>The process and thread whose files this scan is reading now.</summary>
    public (int Pid, int Tid) Position
    {
        get
        {
            long p = Interlocked.Read(ref _position);
            return ((int)(p >> 32), (int)(p & 0xffffffff));
        }
    }

    public MountScanner(ProcFs proc, TimeSpan threshold, TimeProvider? time = null)
    {
        _proc = proc;
        _time = time ?? TimeProvider.System;
        _threshold = threshold.TotalSeconds;
        Kernel = KernelInfo.Read(proc);
        _syscalls = MountSyscalls.ForMachine(Kernel.Machine);
    }

    public KernelInfo Kernel { get; }

    /// <summary>
    /// A kernel probe that names the threads to read (the BPF probe), or null to walk every thread. With one, a
    /// scan reads the proc files of the calls it recorded and the threads it names, and nothing else; where it
    /// cannot name blocked threads, every <see cref="WalkEvery"/>th scan walks procfs for them, and scans between
    /// look again at the ones that walk found. A scan whose probe fails, or whose map was full, walks procfs.
    /// </summary>
    public ICandidateSource? Candidates { get; init; }

    /// <summary>With a probe that cannot name blocked threads: every how many scans procfs is walked for them.</summary>
    public int WalkEvery { get; init; } = 6;

    /// <summary>
    /// With a probe that can: every how many scans it names them. Naming visits every thread in the kernel (about
    /// half a microsecond each); the scans between read again the threads the last naming found blocked, and calls
    /// come from the map at every scan. A thread that blocks is named within this many scans, and reported hung once
    /// its age, counted from when it last ran, passes the threshold: with a naming period no longer than the
    /// threshold, as late as the procfs walk would report it.
    /// </summary>
    public int NameEvery { get; init; } = 1;

    /// <summary>Why the last scan walked procfs despite a kernel probe, or null when it did not need to.</summary>
    public string? WalkReason { get; private set; }

    /// <summary>Why there is no kernel probe (such as "no CAP_BPF"), said by every snapshot; unused with one.</summary>
    public string NoProbeReason { get; init; } = "not tried";

    /// <summary>Recorded calls the kernel probe missed the exit of, found and removed (the thread was gone or in another call).</summary>
    public int StaleCallsRemoved => _stale;

    public MountSyscalls Syscalls => _syscalls;

    /// <summary>Threads the tracker remembers (for leak checks).</summary>
    public int TrackedCalls => _tracker.Count;

    /// <summary>The calls this scanner is tracking, with the wall-clock time it first saw each.</summary>
    public IReadOnlyList<TrackedCall> Tracked()
    {
        double now = _time.GetTimestamp() / (double)_time.TimestampFrequency;
        var wall = _time.GetUtcNow();
        return [.. _tracker.Entries.Select(e => new TrackedCall(e.Key, e.Number, e.Args, wall - TimeSpan.FromSeconds(now - e.FirstSeen)))];
    }

    /// <summary>Starts from what a running daemon has seen, so a one-shot scan knows how long calls have lasted.</summary>
    public void Seed(IEnumerable<TrackedCall> calls)
    {
        double now = _time.GetTimestamp() / (double)_time.TimestampFrequency;
        var wall = _time.GetUtcNow();
        foreach (var c in calls)
            if (c.FirstSeen <= wall) _tracker.Seed(c.Key, c.Number, c.Args, now - (wall - c.FirstSeen).TotalSeconds);
    }

    public ScanSnapshot Scan(CancellationToken cancel = default)
    {
        long started = _time.GetTimestamp();
        double now = started / (double)_time.TimestampFrequency;
        _errors.Clear();
        _errorSamples.Clear();
        _denied.Clear();
        _deniedExample.Clear();
        _tracker.BeginScan();

        double? uptime = ReadUptime();
        _schedNowMs = ReadSchedNow(uptime);

        var calls = new List<ObservedThread>();
        var newlyHung = new List<ObservedThread>();
        var blocked = new List<ObservedThread>();
        void Add(ObservedThread? call)
        {
            if (call is null) return;
            if (call.Kind == ThreadKind.Blocked)
            {
                blocked.Add(call);
                return;
            }
            calls.Add(call);
            if (call.Hung && _tracker.MarkHung(call.Key)) newlyHung.Add(call);
        }

        bool walk = CollectFromKernel();
        int scanned = 0;
        if (walk)
        {
            var listed = _proc.TryListProcesses(_pids);
            if (!listed.IsOk)
                throw new ScanFailedException($"cannot list processes in {_proc.Root}: {listed.Status} (errno {listed.Errno})");
            foreach (int pid in _pids)
            {
                cancel.ThrowIfCancellationRequested();
                if (Stalled.Skip(pid)) continue;
                var tasks = _proc.TryListThreads(pid, _tids);
                if (!tasks.IsOk)
                {
                    if (tasks.Status != ProcReadStatus.Vanished) Fail("task", $"{pid}/task: {tasks.Status} (errno {tasks.Errno})");
                    continue;
                }
                int leaderStat = ReadLeaderStat(pid, out bool exiting);
                bool first = true;
                foreach (int tid in _tids)
                {
                    scanned++;
                    // The leader is listed first: its stat line is still in the buffer.
                    int preread = first && tid == pid ? leaderStat : -1;
                    first = false;
                    Add(InspectThread(pid, tid, now, uptime, exiting, preread));
                }
            }
            _lastWalkThreads = scanned;
            _lastBlocked = [.. blocked.Select(b => (b.Pid, b.Tid))];
        }
        else
        {
            // Only the threads the kernel named. None of them is skipped for an idle wait: a thread in D (closing
            // files as its process exits) still shows the wait the fatal signal interrupted.
            foreach (var c in _kernel.Calls)
            {
                cancel.ThrowIfCancellationRequested();
                if (Stalled.Skip(c.Pid)) continue;
                Add(InspectThread(c.Pid, c.Tid, now, uptime, exiting: true, prereadStat: -1));
            }
            IEnumerable<(int Pid, int Tid)> candidates = _kernel.Tasks is { } tasks ? tasks.Select(t => (t.Pid, t.Tid)) : _lastBlocked;
            foreach (var (pid, tid) in candidates)
            {
                cancel.ThrowIfCancellationRequested();
                if (_inFlight.ContainsKey(tid) || Stalled.Skip(pid)) continue;
                Add(InspectThread(pid, tid, now, uptime, exiting: true, prereadStat: -1));
            }
            scanned = _kernel.CanListTasks ? _kernel.ThreadsVisited : _lastWalkThreads;
            // Read again at every scan until the next naming, blocked or not when read: a thread waiting for an NFS
            // server runs for a moment at each retransmission, and must not drop out until the next naming.
            if (_kernel.Tasks is { } named) _lastBlocked = [.. named.Where(t => !_inFlight.ContainsKey(t.Tid)).Select(t => (t.Pid, t.Tid))];
        }
        RemoveStaleCalls();
        _tracker.EndScan();

        var nfsMounts = ReadNfsMounts();
        var probes = SettleProbes();
        calls.Sort((a, b) => b.StuckSeconds.CompareTo(a.StuckSeconds));
        blocked.Sort((a, b) => b.StuckSeconds.CompareTo(a.StuckSeconds));
        return new ScanSnapshot
        {
            Kernel = Kernel,
            ThresholdSeconds = _threshold,
            ScannedThreads = scanned,
            MountCalls = calls,
            Blocked = blocked,
            NfsMounts = nfsMounts,
            NewlyHung = newlyHung,
            Probes = probes,
            DeniedReads = new Dictionary<string, int>(_denied),
            DeniedExamples = new Dictionary<string, string>(_deniedExample),
            Errors = new Dictionary<string, int>(_errors),
            ErrorSamples = [.. _errorSamples],
            StalledProcesses = Stalled.Pids,
            Watching = Candidates is null ? "procfs" : "bpf",
            WatchingWhy = Candidates is { } source ? source.Description + (WalkReason is { } why ? $"; this scan walked procfs: {why}" : "")
                : $"bpf: {NoProbeReason}",
            Duration = _time.GetElapsedTime(started),
            FinishedAt = _time.GetUtcNow(),
        };
    }

    /// <summary>
    /// Asks the kernel probe, when there is one, which threads to read; true when this scan must walk procfs
    /// instead (no probe, the probe failed, its map was full, or it is time for the walk that finds blocked threads).
    /// </summary>
    private bool CollectFromKernel()
    {
        _inFlight.Clear();
        _matched.Clear();
        long scan = _scans++;
        WalkReason = null;
        if (Candidates is not { } source) return true;
        if (!source.TryCollect(_kernel, scan % Math.Max(1, NameEvery) == 0, out string? problem))
        {
            WalkReason = problem ?? "the kernel probe failed";
            _kernel.Calls.Clear();
            return true;
        }
        foreach (var c in _kernel.Calls) _inFlight[c.Tid] = c;
        if (_kernel.MissedCalls > 0)
        {
            WalkReason = $"{_kernel.MissedCalls} mount call(s) did not fit the probe's map";
            return true;
        }
        if (_kernel.Tasks is null && !_kernel.CanListTasks && scan % Math.Max(1, WalkEvery) == 0)
        {
            WalkReason = "the periodic walk for blocked threads";
            return true;
        }
        return false;
    }

    /// <summary>
    /// A recorded call whose thread is gone, or that procfs shows in another call or none, lost its exit: it is
    /// removed. A thread that was running when read tells nothing, and a call younger than a second may just
    /// have returned (its exit removes it).
    /// </summary>
    private void RemoveStaleCalls()
    {
        if (Candidates is not { } source) return;
        foreach (var (tid, call) in _inFlight)
        {
            if (_matched.Contains(tid) || call.AgeSeconds < 1 || Stalled.Skip(call.Pid)) continue;
            var read = _proc.TryReadThreadFile(call.Pid, tid, ThreadFile.Syscall, ref _buffer);
            bool stale = read.Status == ProcReadStatus.Vanished
                || (read.IsOk && ThreadSyscall.TryParse(_buffer.AsSpan(0, read.Length), out var now, out _)
                    && now.State != SyscallState.Running && (now.State != SyscallState.InSyscall || now.Number != call.Number));
            if (!stale) continue;
            source.Forget(tid, call.StartNs);
            _stale++;
        }
    }

    /// <summary>
    /// Reads the stat of the process's leader thread into the stat buffer; returns its length, or -1 when it
    /// could not be read or parsed (the thread loop reads it again and reports why). <paramref name="exiting"/>
    /// is true when the process is exiting or dumping core (the leader is a zombie, in D, or has PF_EXITING):
    /// its threads close files and flush them to NFS on the way out, blocked in D while their syscall files
    /// still show the idle wait the fatal signal interrupted, so none of them is skipped.
    /// </summary>
    private int ReadLeaderStat(int pid, out bool exiting)
    {
        exiting = true;
        Interlocked.Exchange(ref _position, ((long)pid << 32) | (uint)pid);
        var read = _proc.TryReadThreadFile(pid, pid, ThreadFile.Stat, ref _statBuffer);
        if (!read.IsOk || !ThreadStat.TryParse(_statBuffer.AsSpan(0, read.Length), out var stat, out _)) return -1;
        exiting = stat.State is 'Z' or 'X' or 'D' || (stat.Flags & ThreadStat.ExitingFlag) != 0;
        return read.Length;
    }

    /// <param name="exiting">The process is exiting: no thread of it is skipped for its idle wait.</param>
    /// <param name="prereadStat">The length of this thread's stat line already in the stat buffer, or -1.</param>
    private ObservedThread? InspectThread(int pid, int tid, double now, double? uptime, bool exiting, int prereadStat)
    {
        Interlocked.Exchange(ref _position, ((long)pid << 32) | (uint)tid);
        // The syscall file first: for a thread asleep in an idle wait (futex, epoll, poll, sleep: most threads of
        // a host) or running, it is the only file read.
        var syscallRead = _proc.TryReadThreadFile(pid, tid, ThreadFile.Syscall, ref _buffer);
        ThreadSyscall syscall = default;
        string? error;
        if (syscallRead.IsOk)
        {
            if (!ThreadSyscall.TryParse(_buffer.AsSpan(0, syscallRead.Length), out syscall, out error))
            {
                Fail("syscall", $"{pid}/task/{tid}/{error}");
                KeepRecorded(tid);
                return null;
            }
            // A recorded call is kept while the thread runs (nothing to tell) or is still in it.
            if (syscall.State == SyscallState.Running || (syscall.State == SyscallState.InSyscall && _inFlight.TryGetValue(tid, out var recorded) && recorded.Number == syscall.Number))
                KeepRecorded(tid);
            if (syscall.State == SyscallState.Running) return null;
            if (!exiting && syscall.State == SyscallState.InSyscall && _syscalls.IsIdleWait(syscall.Number, syscall.StackPointer)) return null;
        }
        // A refused read goes on to stat, which says whether it was a kernel thread's (not counted) and names the command.
        else if (syscallRead.Status != ProcReadStatus.Denied)
        {
            // Gone: its recorded call, if any, is stale. Failed: nothing is known.
            if (syscallRead.Status != ProcReadStatus.Vanished) KeepRecorded(tid);
            Check(syscallRead, Probe.Syscall, pid, tid);
            return null;
        }
        else KeepRecorded(tid);

        var statRead = prereadStat >= 0 ? new ProcReadResult(ProcReadStatus.Ok, prereadStat, 0)
            : _proc.TryReadThreadFile(pid, tid, ThreadFile.Stat, ref _statBuffer);
        if (!Check(statRead, "stat", pid, tid)) return null;
        int statLength = statRead.Length;
        var statLine = _statBuffer.AsSpan(0, statLength);
        if (!ThreadStat.TryParse(statLine, out var stat, out error))
        {
            Fail("stat", $"{pid}/task/{tid}/{error}");
            return null;
        }
        // Zombies and dead tasks wait for nothing. Kernel threads never enter a system call (their syscall file
        // reads as zeros), but one in uninterruptible sleep (writeback to a dead server, a CIFS reconnect) can
        // hold what others wait for, and so can the NFSv4 state manager of a server, asleep or not.
        if (stat.State is 'Z' or 'X') return null;
        if (stat.IsKernelThread)
            return stat.State == 'D' || (stat.State is 'S' or 'I' && NfsStateManager.IsNamed(stat.Comm(_statBuffer.AsSpan(0, statLength))))
                ? InspectBlocked(pid, tid, stat, statLength, new ThreadSyscall(SyscallState.NotInSyscall, -1, default, 0, 0), now, uptime, wchan: null)
                : null;
        if (syscallRead.Status == ProcReadStatus.Denied)
        {
            Check(syscallRead, Probe.Syscall, pid, tid);
            // Name the first refused thread with its command, so the person on call knows whose threads are hidden.
            if (_deniedExample[Probe.Syscall] == $"pid {pid}")
                _deniedExample[Probe.Syscall] = $"pid {pid} ({stat.Comm(_statBuffer.AsSpan(0, statLength))})";
            return null;
        }
        if (syscall.State == SyscallState.InSyscall && _syscalls.TryGetName(syscall.Number, out string name))
            return InspectMountCall(pid, tid, stat, statLength, syscall, name, now, uptime);
        // Outside mount calls: every thread in uninterruptible sleep, and a thread asleep in a file system call
        // whose wait channel is filesystem code: a FUSE request waits interruptibly (S) until a signal comes
        // (fs/fuse/dev.c request_wait_answer). Where wchan reads 0 (kernels before 5.16 with the ORC unwinder)
        // the stack tells instead.
        if (stat.State == 'D') return InspectBlocked(pid, tid, stat, statLength, syscall, now, uptime, wchan: null);
        if (stat.State != 'S' || syscall.State != SyscallState.InSyscall || !IsFileCall(syscall.Number)) return null;
        string? sleeping = ReadWchan(pid, tid);
        if (sleeping is not null && FsCode.OfFunction(sleeping) == FsFamily.None) return null;
        return InspectBlocked(pid, tid, stat, statLength, syscall, now, uptime, sleeping ?? "", requireFsCode: true);
    }

    private bool IsFileCall(int number) => SyscallTable.Find(_syscalls.Machine, number) is { Kind: not PathArgument.None };

    private ObservedThread InspectMountCall(int pid, int tid, ThreadStat stat, int statLength, ThreadSyscall syscall, string name, double now, double? uptime)
    {
        // A candidate: now the expensive reads.
        string? wchan = ReadWchan(pid, tid);
        IReadOnlyList<string> stack = ReadStack(pid, tid, out var modules);
        // Recorded at entry by the kernel probe: the exact age, and the strings as they were then.
        if (_inFlight.TryGetValue(tid, out var recorded) && recorded.Pid == pid && recorded.Number == syscall.Number)
        {
            var key = new ThreadKey(pid, tid, stat.StartTimeTicks);
            _tracker.Seed(key, syscall.Number, syscall.Args, now - recorded.AgeSeconds);
            double exact = _tracker.Observe(key, syscall.Number, syscall.Args, now);
            return Found(pid, tid, stat, statLength, ThreadKind.MountCall, name, syscall.Number, syscall.Args, wchan, stack, modules, exact)
                with { AgeIsExact = true, CapturedStrings = recorded.Strings };
        }
        return Found(pid, tid, stat, statLength, ThreadKind.MountCall, name, syscall.Number, syscall.Args, wchan, stack, modules,
            Age(pid, tid, stat, syscall, now, uptime));
    }

    /// <summary>The thread's recorded call, if any, is not stale this scan.</summary>
    private void KeepRecorded(int tid)
    {
        if (_inFlight.Count > 0) _matched.Add(tid);
    }

    /// <param name="wchan">The wait channel when already read ("" when it read as unknown), or null to read it.</param>
    /// <param name="requireFsCode">Report the thread only when its stack is in filesystem code (an interruptible wait).</param>
    private ObservedThread? InspectBlocked(int pid, int tid, ThreadStat stat, int statLength, ThreadSyscall syscall, double now, double? uptime,
        string? wchan, bool requireFsCode = false)
    {
        wchan = wchan is null ? ReadWchan(pid, tid) : wchan.Length == 0 ? null : wchan;
        IReadOnlyList<string> stack = ReadStack(pid, tid, out var modules);
        if (requireFsCode && (stack.Count > 0 ? FsCode.OfStack(stack, modules) : FsCode.OfFunction(wchan)) == FsFamily.None) return null;
        bool inCall = syscall.State == SyscallState.InSyscall;
        return Found(pid, tid, stat, statLength, ThreadKind.Blocked, inCall ? SyscallTable.Name(_syscalls.Machine, syscall.Number) : null,
            inCall ? syscall.Number : -1, syscall.Args, wchan, stack, modules, Age(pid, tid, stat, syscall, now, uptime));
    }

    private ObservedThread Found(int pid, int tid, ThreadStat stat, int statLength, ThreadKind kind, string? syscall, int number, SyscallArgs args,
        string? wchan, IReadOnlyList<string> stack, IReadOnlyList<string?> modules, double stuck) => new()
    {
        Pid = pid,
        Tid = tid,
        StartTimeTicks = stat.StartTimeTicks,
        // Command names are anyone's text: no control characters reach logs or terminals.
        Comm = Printable.Of(stat.Comm(_statBuffer.AsSpan(0, statLength)))!,
        Kind = kind,
        IsKernelThread = stat.IsKernelThread,
        Syscall = syscall,
        SyscallNumber = number,
        Args = args,
        State = stat.State,
        Wchan = wchan,
        StuckSeconds = Math.Round(stuck, 3),
        Hung = stuck >= _threshold,
        Stack = stack,
        StackModules = modules,
    };

    private string? ReadWchan(int pid, int tid)
    {
        var read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Wchan, ref _buffer);
        if (!Check(read, "wchan", pid, tid)) return null;
        var text = _buffer.AsSpan(0, read.Length).Trim("\n \0"u8);
        // wchan prints "0" when the thread is running or access is denied.
        return text.IsEmpty || text.SequenceEqual("0"u8) ? null : Encoding.ASCII.GetString(text);
    }

    private IReadOnlyList<string> ReadStack(int pid, int tid, out IReadOnlyList<string?> modules)
    {
        modules = [];
        var read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Stack, ref _buffer);
        if (!Check(read, Probe.Stack, pid, tid)) return [];
        return KernelStack.Parse(_buffer.AsSpan(0, read.Length), out modules);
    }

    /// <summary>
    /// A lower bound on the seconds in this call: the longer of the time since this scanner first saw the
    /// thread in it and the time since the thread last ran, never more than the thread's own age.
    /// </summary>
    private double Age(int pid, int tid, ThreadStat stat, ThreadSyscall syscall, double now, double? uptime)
    {
        var key = new ThreadKey(pid, tid, stat.StartTimeTicks);
        int number = syscall.State == SyscallState.InSyscall ? syscall.Number : -1;
        double stuck = _tracker.Observe(key, number, syscall.Args, now);
        if (uptime is double up)
        {
            var read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Sched, ref _buffer);
            if (Check(read, Probe.Sched, pid, tid))
            {
                if (ThreadSched.TryParseExecStartMs(_buffer.AsSpan(0, read.Length), out double execStartMs, out string? error))
                {
                    // Time since the thread last ran: it has been in the call at least that long.
                    if (stat.State != 'R' && _schedNowMs is double nowMs) stuck = Math.Max(stuck, (nowMs - execStartMs) / 1000.0);
                }
                else Fail(Probe.Sched, $"{pid}/task/{tid}/{error}");
            }
            double age = up - stat.StartTimeTicks / (double)ProcFs.ClockTicksPerSecond;
            stuck = Math.Min(stuck, Math.Max(0, age));
        }
        return Math.Max(0, stuck);
    }

    /// <summary>True for a successful read; counts denials and failures, ignores vanished tasks.</summary>
    private bool Check(ProcReadResult read, string probe, int pid, int tid)
    {
        switch (read.Status)
        {
            case ProcReadStatus.Ok: return true;
            case ProcReadStatus.Vanished: return false;
            case ProcReadStatus.Denied:
                _denied[probe] = _denied.GetValueOrDefault(probe) + 1;
                _deniedExample.TryAdd(probe, $"pid {pid}");
                return false;
            default:
                Fail(probe, $"{pid}/task/{tid}/{probe}: read failed (errno {read.Errno})");
                return false;
        }
    }

    private void Fail(string probe, string message)
    {
        _errors[probe] = _errors.GetValueOrDefault(probe) + 1;
        if (_errorSamples.Count < MaxErrorSamples) _errorSamples.Add(message);
    }

    /// <summary>
    /// The NFS mounts of the host (PID 1's mount namespace; the unit runs NfsWatch in private mounts) with
    /// their RPC counters, else of this process's own namespace; never touches the mounts.
    /// </summary>
    private List<NfsMountStats> ReadNfsMounts()
    {
        var read = _proc.TryReadFile("1/mountstats", ref _buffer, 16 << 20);
        if (!read.IsOk) read = _proc.TryReadFile("self/mountstats", ref _buffer, 16 << 20);
        if (read.Status == ProcReadStatus.Vanished) return [];
        if (!read.IsOk)
        {
            Fail("mountstats", $"self/mountstats: {read.Status} (errno {read.Errno})");
            return [];
        }
        return NfsMountStats.ParseAll(_buffer.AsSpan(0, read.Length));
    }

    /// <summary>
    /// "Now" on the scheduler's clock, which se.exec_start counts in. It is not exactly /proc/uptime's clock:
    /// on a VM here it ran 1.7 s behind, which would overstate every age. The scanning thread is running, so
    /// its own se.exec_start is (within a tick) the scheduler's now. Fixture trees have no thread-self: there
    /// uptime stands in.
    /// </summary>
    private double? ReadSchedNow(double? uptime)
    {
        var read = _proc.TryReadFile("thread-self/sched", ref _buffer);
        if (read.IsOk && ThreadSched.TryParseExecStartMs(_buffer.AsSpan(0, read.Length), out double ms, out _)) return ms;
        return uptime * 1000.0;
    }

    private double? ReadUptime()
    {
        var read = _proc.TryReadFile("uptime", ref _buffer);
        if (!read.IsOk)
        {
            Fail("uptime", $"uptime: {read.Status} (errno {read.Errno})");
            return null;
        }
        if (Uptime.TryParse(_buffer.AsSpan(0, read.Length), out double seconds, out string? error)) return seconds;
        Fail("uptime", error!);
        return null;
    }

    /// <summary>
    /// Which privileged sources could be read this scan: a probe is missing when any read of it was refused.
    /// syscall is read for every thread, so its answer is always fresh; stack needs CAP_SYS_ADMIN even for
    /// the daemon's own threads (fs/proc/base.c proc_pid_stack), so reading our own stack tells whether we
    /// have it before any thread is hung.
    /// </summary>
    private Dictionary<string, bool> SettleProbes()
    {
        if (_proc.TryReadFile("thread-self/stack", ref _buffer).Status == ProcReadStatus.Denied)
        {
            _denied[Probe.Stack] = _denied.GetValueOrDefault(Probe.Stack) + 1;
            _deniedExample.TryAdd(Probe.Stack, "NfsWatch's own threads");
        }
        var probes = new Dictionary<string, bool>();
        foreach (string probe in Probe.ThreadProbes) probes[probe] = !_denied.ContainsKey(probe);
        probes[Probe.Bpf] = Candidates is not null;
        return probes;
    }
}
