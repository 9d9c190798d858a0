using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>How a thread came to be observed.</summary>
public enum ThreadKind
{
    /// <summary>Inside a mount-family system call (mount, umount2, fsconfig, ...).</summary>
    MountCall,
    /// <summary>
    /// Asleep outside a mount call where a filesystem may be holding it: in uninterruptible sleep (D), or in
    /// an interruptible wait for a FUSE, CIFS or NFS reply, or an NFS state manager kernel thread. Whether it
    /// counts as blocked I/O is for explanation to say.
    /// </summary>
    Blocked,
}

/// <summary>
/// What procfs says about one thread, read in one scan: ids, the system call and its raw arguments, state,
/// wait channel, kernel stack, and how long it has been where it is. Immutable; explanation never changes it.
/// </summary>
public sealed record ObservedThread
{
    public required int Pid { get; init; }
    public required int Tid { get; init; }
    public required ulong StartTimeTicks { get; init; }
    public required string Comm { get; init; }
    public required ThreadKind Kind { get; init; }
    /// <summary>A kernel thread (PF_KTHREAD): no system call, no user memory; it cannot be killed.</summary>
    public bool IsKernelThread { get; init; }
    /// <summary>"mount", "umount2", "fsconfig", ...; for a blocked thread the call it is in ("newfstatat"), or null when in none (a kernel thread, a page fault).</summary>
    public required string? Syscall { get; init; }
    public required int SyscallNumber { get; init; }
    public required SyscallArgs Args { get; init; }
    /// <summary>The stat state letter: D, S, R, ...</summary>
    public required char State { get; init; }
    /// <summary>The kernel function the thread waits in, or null when unreadable, not waiting, or printed as 0 (kernels before 5.16 with the ORC unwinder).</summary>
    public string? Wchan { get; init; }
    /// <summary>A lower bound on the seconds spent in this call or wait; exact when <see cref="AgeIsExact"/>.</summary>
    public required double StuckSeconds { get; init; }
    /// <summary>The age counts from the call's entry, as the kernel probe recorded it, not from when procfs first showed it.</summary>
    public bool AgeIsExact { get; init; }
    /// <summary>The call's string arguments as the kernel probe copied them at entry, or null when it did not (procfs found the call).</summary>
    public IReadOnlyList<CapturedString>? CapturedStrings { get; init; }
    public required bool Hung { get; init; }
    /// <summary>Kernel function names, innermost first, as /proc shows them (no scheduler or sleeping-lock frames); empty when the stack cannot be read.</summary>
    public IReadOnlyList<string> Stack { get; init; } = [];
    /// <summary>Beside each frame of <see cref="Stack"/>, its module ("nfsv4") or null; empty when no frame named one.</summary>
    public IReadOnlyList<string?> StackModules { get; init; } = [];

    public ThreadKey Key => new(Pid, Tid, StartTimeTicks);

    /// <summary>The filesystem whose code the stack (or, without one, the wait channel) is in.</summary>
    public FsFamily CodeFamily => Stack.Count > 0 ? FsCode.OfStack(Stack, StackModules) : FsCode.OfFunction(Wchan);

    /// <summary>
    /// The function the thread waits in: the innermost frame that is not the scheduler or a lock primitive
    /// (<see cref="SleepFrames"/>); for a thread waiting for a sleeping lock, the function that took it.
    /// </summary>
    public string? TopFrame => Stack.Count > 0 ? Stack[SleepFrames.Innermost(Stack)] : Wchan;

    /// <summary>The index of <see cref="TopFrame"/> in the stack.</summary>
    public int TopIndex => SleepFrames.Innermost(Stack);
}
