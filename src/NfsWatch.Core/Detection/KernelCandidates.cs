using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>A string argument of a call, copied by the kernel probe when the call entered.</summary>
/// <param name="Index">Which of the six arguments.</param>
/// <param name="Bytes">The string without its NUL, or null when it could not be copied (its page was not resident).</param>
/// <param name="Truncated">Only the first bytes were kept.</param>
public sealed record CapturedString(int Index, byte[]? Bytes, bool Truncated);

/// <summary>A mount-family call the kernel recorded at entry: who, which call, how long ago, and its string arguments.</summary>
public sealed record InFlightCall(int Pid, int Tid, int Number, SyscallArgs Args, ulong StartNs, double AgeSeconds, IReadOnlyList<CapturedString> Strings);

/// <summary>Why the kernel names a thread worth a look.</summary>
public enum CandidateReason
{
    /// <summary>In uninterruptible sleep (D).</summary>
    Uninterruptible = 1,
    /// <summary>Asleep in a call on a file of a network, FUSE or autofs filesystem.</summary>
    RemoteFile = 2,
    /// <summary>Asleep in a file call whose file the kernel probe could not tell.</summary>
    UnknownFile = 3,
    /// <summary>A kernel thread named like an NFSv4 state manager.</summary>
    KernelThreadName = 4,
    /// <summary>In a mount-family call that was not recorded at entry (it began before the probe was attached).</summary>
    MountCall = 5,
}

/// <summary>A thread the kernel names: its files are read; every other thread's are not.</summary>
public readonly record struct CandidateTask(int Pid, int Tid, CandidateReason Why);

/// <summary>What a kernel probe tells at one scan, refilled by <see cref="ICandidateSource.TryCollect"/>.</summary>
public sealed class KernelCandidates
{
    /// <summary>Every mount-family call in flight that was recorded at entry.</summary>
    public List<InFlightCall> Calls { get; } = [];

    /// <summary>Threads that may be blocked in a filesystem, or null when they were not listed this time (see <see cref="CanListTasks"/>).</summary>
    public List<CandidateTask>? Tasks { get; set; }

    /// <summary>Whether the probe can list those threads at all; without it, procfs must be walked for them.</summary>
    public bool CanListTasks { get; set; }

    /// <summary>How many threads the kernel looked at to list <see cref="Tasks"/>.</summary>
    public int ThreadsVisited { get; set; }

    /// <summary>Calls not recorded since the previous collection because the map was full: procfs must be walked to see them.</summary>
    public long MissedCalls { get; set; }
}

/// <summary>
/// A source in the kernel that says which threads to read, so that a scan reads the proc files of those threads
/// only instead of every thread's (the BPF probe).
/// </summary>
public interface ICandidateSource
{
    /// <summary>How it watches, in words for logs and scan output.</summary>
    string Description { get; }

    /// <summary>Fills <paramref name="into"/>; false with a reason when the kernel could not be asked this time.</summary>
    /// <param name="listTasks">Also list the threads that may be blocked (it costs a visit of every thread in the kernel).</param>
    bool TryCollect(KernelCandidates into, bool listTasks, out string? problem);

    /// <summary>Removes a recorded call whose thread is gone or has left it (a record the exit probe missed).</summary>
    void Forget(int tid, ulong startNs);
}
