using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>
/// One pass over every thread of the proc tree: finds the threads inside a mount-family system call and
/// tells how long each has been there. Cheap reads (stat, syscall) for every thread; wchan, stack and
/// sched only for the few threads in a mount call. Not thread-safe: one scan at a time.
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
    private readonly List<string> _errorSamples = [];
    private readonly Dictionary<string, int> _denied = [];
    private readonly Dictionary<string, string> _deniedExample = [];

    public MountScanner(ProcFs proc, TimeSpan threshold, TimeProvider? time = null)
    {
        _proc = proc;
        _time = time ?? TimeProvider.System;
        _threshold = threshold.TotalSeconds;
        Kernel = KernelInfo.Read(proc);
        _syscalls = MountSyscalls.ForMachine(Kernel.Machine);
    }

    public KernelInfo Kernel { get; }

    public MountSyscalls Syscalls => _syscalls;

    /// <summary>Threads the tracker remembers (for leak checks).</summary>
    public int TrackedCalls => _tracker.Count;

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
        var listed = _proc.TryListProcesses(_pids);
        if (!listed.IsOk)
            throw new ScanFailedException($"cannot list processes in {_proc.Root}: {listed.Status} (errno {listed.Errno})");

        var calls = new List<MountCall>();
        var newlyHung = new List<MountCall>();
        int scanned = 0;
        foreach (int pid in _pids)
        {
            cancel.ThrowIfCancellationRequested();
            var tasks = _proc.TryListThreads(pid, _tids);
            if (!tasks.IsOk)
            {
                if (tasks.Status != ProcReadStatus.Vanished) Fail("task", $"{pid}/task: {tasks.Status} (errno {tasks.Errno})");
                continue;
            }
            foreach (int tid in _tids)
            {
                scanned++;
                var call = InspectThread(pid, tid, now, uptime);
                if (call is null) continue;
                calls.Add(call);
                if (call.Hung && _tracker.MarkHung(call.Key)) newlyHung.Add(call);
            }
        }
        _tracker.EndScan();

        var probes = SettleProbes();
        calls.Sort((a, b) => b.StuckSeconds.CompareTo(a.StuckSeconds));
        return new ScanSnapshot
        {
            Kernel = Kernel,
            ThresholdSeconds = _threshold,
            ScannedThreads = scanned,
            MountCalls = calls,
            NewlyHung = newlyHung,
            Probes = probes,
            DeniedReads = new Dictionary<string, int>(_denied),
            DeniedExamples = new Dictionary<string, string>(_deniedExample),
            Errors = new Dictionary<string, int>(_errors),
            ErrorSamples = [.. _errorSamples],
            Duration = _time.GetElapsedTime(started),
            FinishedAt = _time.GetUtcNow(),
        };
    }

    private MountCall? InspectThread(int pid, int tid, double now, double? uptime)
    {
        var read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Stat, ref _statBuffer);
        if (!Check(read, "stat", pid, tid)) return null;
        int statLength = read.Length;
        var statLine = _statBuffer.AsSpan(0, statLength);
        if (!ThreadStat.TryParse(statLine, out var stat, out string? error))
        {
            Fail("stat", $"{pid}/task/{tid}/{error}");
            return null;
        }
        // Zombies and dead tasks are in no system call; kernel threads never enter one.
        if (stat.State is 'Z' or 'X' || stat.IsKernelThread) return null;

        read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Syscall, ref _buffer);
        if (!Check(read, Probe.Syscall, pid, tid))
        {
            // Name the first refused thread with its command, so the person on call knows whose threads are hidden.
            if (read.Status == ProcReadStatus.Denied && _deniedExample[Probe.Syscall] == $"pid {pid}")
                _deniedExample[Probe.Syscall] = $"pid {pid} ({stat.Comm(_statBuffer.AsSpan(0, statLength))})";
            return null;
        }
        if (!ThreadSyscall.TryParse(_buffer.AsSpan(0, read.Length), out var syscall, out error))
        {
            Fail("syscall", $"{pid}/task/{tid}/{error}");
            return null;
        }
        if (syscall.State != SyscallState.InSyscall || !_syscalls.TryGetName(syscall.Number, out string name)) return null;

        // A candidate: now the expensive reads.
        string comm = stat.Comm(_statBuffer.AsSpan(0, statLength));
        string? wchan = null;
        read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Wchan, ref _buffer);
        if (Check(read, "wchan", pid, tid))
        {
            var text = _buffer.AsSpan(0, read.Length).Trim("\n \0"u8);
            // wchan prints "0" when the thread is running or access is denied.
            if (!text.IsEmpty && !text.SequenceEqual("0"u8)) wchan = Encoding.ASCII.GetString(text);
        }

        IReadOnlyList<string> stack = [];
        read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Stack, ref _buffer);
        if (Check(read, Probe.Stack, pid, tid)) stack = KernelStack.Parse(_buffer.AsSpan(0, read.Length));

        var key = new ThreadKey(pid, tid, stat.StartTimeTicks);
        double stuck = _tracker.Observe(key, syscall.Number, syscall.Args, now);
        if (uptime is double up)
        {
            read = _proc.TryReadThreadFile(pid, tid, ThreadFile.Sched, ref _buffer);
            if (Check(read, Probe.Sched, pid, tid))
            {
                if (ThreadSched.TryParseExecStartMs(_buffer.AsSpan(0, read.Length), out double execStartMs, out error))
                {
                    // Time since the thread last ran: it has been in the call at least that long.
                    if (stat.State != 'R') stuck = Math.Max(stuck, up - execStartMs / 1000.0);
                }
                else Fail(Probe.Sched, $"{pid}/task/{tid}/{error}");
            }
            double age = up - stat.StartTimeTicks / (double)ProcFs.ClockTicksPerSecond;
            stuck = Math.Min(stuck, Math.Max(0, age));
        }
        stuck = Math.Max(0, stuck);

        return new MountCall
        {
            Pid = pid,
            Tid = tid,
            StartTimeTicks = stat.StartTimeTicks,
            Comm = comm,
            Syscall = name,
            SyscallNumber = syscall.Number,
            Args = syscall.Args,
            State = stat.State,
            Wchan = wchan,
            StuckSeconds = Math.Round(stuck, 3),
            Hung = stuck >= _threshold,
            Stack = stack,
        };
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
        return probes;
    }
}
