using NfsWatch.Core.Procfs;
using System.Collections.Concurrent;
using System.Diagnostics;
using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Isolation;

public enum IsolatedReadStatus { Ok, Denied, Gone, Failed, TimedOut, Skipped }

/// <summary>One value read by the child: bytes, or why there are none.</summary>
public readonly record struct IsolatedValue(IsolatedReadStatus Status, byte[]? Bytes);

/// <summary>
/// Reads a process's memory or command line in a child process with a deadline: those reads take the
/// target's mmap_lock and block, killably, for as long as its address space is wedged (ps hanging on NFS,
/// moby/moby#15204; the amazon-efs-utils watchdog deadlock, aws/efs-utils#374). On the deadline the child is
/// killed, and the target is remembered as wedged: not read again until <see cref="RetryAfter"/> has passed.
/// Never uses process_vm_readv, which waits for the same lock unkillably (mm/process_vm_access.c takes it
/// with mmap_read_lock, not the killable variant).
/// </summary>
public sealed class IsolatedReader(SelfCommand self, string procfsRoot, TimeSpan deadline, TimeProvider? time = null)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(int Pid, ulong Start), DateTimeOffset> _wedged = new();
    private long _timeouts;

    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Children that could not be started.</summary>
    public long StartFailures { get; private set; }

    /// <summary>Reads that hit the deadline since start (nfswatch_isolated_read_timeouts_total).</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>
    /// Processes now remembered as wedged. One that has exited is forgotten at once: its /proc/PID directory
    /// is gone (a directory of procfs, never of a mount point; looking it up takes no lock of the process).
    /// </summary>
    public int WedgedProcesses
    {
        get
        {
            var now = _time.GetUtcNow();
            foreach (var (key, until) in _wedged)
                if (until <= now || !Directory.Exists(Path.Combine(procfsRoot, key.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                    _wedged.TryRemove(key, out _);
            return _wedged.Count;
        }
    }

    /// <summary>True while process <paramref name="pid"/> is remembered as wedged: a read of it would be skipped.</summary>
    public bool IsWedged(int pid) => _wedged.TryGetValue((pid, 0UL), out var until) && until > _time.GetUtcNow();

    public IReadOnlyList<IsolatedValue> ReadStrings(ThreadKey thread, IReadOnlyList<ulong> addresses) =>
        Run(thread, ["mem", .. addresses.Select(a => a.ToString("x"))], addresses.Count);

    public IsolatedValue ReadCmdline(ThreadKey thread) => Run(thread, ["cmdline"], 1)[0];

    private IReadOnlyList<IsolatedValue> Run(ThreadKey thread, string[] request, int count)
    {
        // Per process: a wedge is of the address space, which all its threads share. A pid reused within
        // RetryAfter waits that long for its first read; that is the price of not reading proc/PID/stat here.
        var key = (thread.Pid, 0UL);
        if (_wedged.TryGetValue(key, out var until))
        {
            if (until > _time.GetUtcNow()) return Repeat(IsolatedReadStatus.Skipped, count);
            _wedged.TryRemove(key, out _);
        }

        var info = new ProcessStartInfo(self.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (string a in self.PrefixArguments) info.ArgumentList.Add(a);
        info.ArgumentList.Add(InternalRead.Verb);
        info.ArgumentList.Add(procfsRoot);
        info.ArgumentList.Add(thread.Pid.ToString());
        foreach (string a in request) info.ArgumentList.Add(a);

        Process? started;
        try
        {
            started = Process.Start(info);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            // The binary is gone (an upgrade), or fork failed (pid or memory exhaustion - which piles of hung
            // mount helpers cause): this read fails, the scan goes on.
            StartFailures++;
            return Repeat(IsolatedReadStatus.Failed, count);
        }
        using var child = started;
        if (child is null) return Repeat(IsolatedReadStatus.Failed, count);
        // Process.Dispose does not close redirected streams read synchronously: without these, each child left
        // two pipe descriptors to the finalizer (the soak tier saw 155 grow to 297 in 10 minutes).
        using var stdout = child.StandardOutput;
        using var stderr = child.StandardError;
        var output = stdout.ReadToEndAsync();
        _ = stderr.ReadToEndAsync();
        if (!output.Wait(deadline))
        {
            // Blocked on the target's mmap_lock: the child sleeps killably, so SIGKILL ends it.
            try { child.Kill(); } catch (InvalidOperationException) { }
            output.Wait(TimeSpan.FromMilliseconds(200)); // what the child printed before the blocking read
            _ = child.WaitForExitAsync(); // reaped in the background
            Interlocked.Increment(ref _timeouts);
            _wedged[key] = _time.GetUtcNow() + RetryAfter;
            var partial = Parse(output.IsCompletedSuccessfully ? output.Result : "", count);
            return partial.Select(v => v.Status == IsolatedReadStatus.Failed && v.Bytes is null ? new IsolatedValue(IsolatedReadStatus.TimedOut, null) : v).ToList();
        }
        child.WaitForExit();
        _wedged.TryRemove(key, out _);
        return Parse(output.Result, count);
    }

    private static IReadOnlyList<IsolatedValue> Parse(string output, int count)
    {
        var values = new List<IsolatedValue>(count);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (values.Count == count) break;
            values.Add(line switch
            {
                _ when line.StartsWith("ok ", StringComparison.Ordinal) => TryHex(line[3..]),
                "ok" => new IsolatedValue(IsolatedReadStatus.Ok, []),
                "denied" => new IsolatedValue(IsolatedReadStatus.Denied, null),
                "gone" => new IsolatedValue(IsolatedReadStatus.Gone, null),
                _ => new IsolatedValue(IsolatedReadStatus.Failed, null),
            });
        }
        while (values.Count < count) values.Add(new IsolatedValue(IsolatedReadStatus.Failed, null));
        return values;
    }

    private static IsolatedValue TryHex(string hex)
    {
        try { return new IsolatedValue(IsolatedReadStatus.Ok, Convert.FromHexString(hex.Trim())); }
        catch (FormatException) { return new IsolatedValue(IsolatedReadStatus.Failed, null); }
    }

    private static List<IsolatedValue> Repeat(IsolatedReadStatus status, int count) =>
        Enumerable.Repeat(new IsolatedValue(status, null), count).ToList();
}
