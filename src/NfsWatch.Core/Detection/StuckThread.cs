using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>
/// A thread found waiting in the kernel: inside a mount-family system call, or blocked (state D) in NFS or
/// SUNRPC code outside one. The fields after <see cref="Stack"/> are filled by explanation; null means not
/// known (yet).
/// </summary>
public sealed record StuckThread
{
    public required int Pid { get; init; }
    public required int Tid { get; init; }
    public required ulong StartTimeTicks { get; init; }
    public required string Comm { get; init; }
    /// <summary>"mount", "umount2", "fsconfig", ...; for a blocked thread the call it is in ("newfstatat"), or null when in none (a kernel thread, a page fault).</summary>
    public required string? Syscall { get; init; }
    public required int SyscallNumber { get; init; }
    public required SyscallArgs Args { get; init; }
    /// <summary>The stat state letter: D, S, R, ...</summary>
    public required char State { get; init; }
    /// <summary>The kernel function the thread waits in, or null when unreadable or not waiting.</summary>
    public string? Wchan { get; init; }
    /// <summary>A lower bound on the seconds spent in this call.</summary>
    public required double StuckSeconds { get; init; }
    public required bool Hung { get; init; }
    /// <summary>Kernel function names, innermost first; empty when the stack cannot be read.</summary>
    public IReadOnlyList<string> Stack { get; init; } = [];

    public string? FsType { get; init; }
    /// <summary>For mount(2): "bind", "move" or "remount" when its flags say so (the fstype is then ignored by the kernel).</summary>
    public string? How { get; init; }
    public string? Source { get; init; }
    public string? Target { get; init; }
    public string? Options { get; init; }
    public string? NfsVersion { get; init; }
    public string? Server { get; init; }
    /// <summary>The known kernel problem the stack matches, or null.</summary>
    public SignatureMatch? Signature { get; init; }
    /// <summary>The role the matched signature's stack shape implies ("blocker", "waiter"), before role analysis.</summary>
    public string? StackRole { get; init; }
    /// <summary>"blocker", "waiter" or null (see ../shared/INTERFACE.md).</summary>
    public string? Role { get; init; }
    /// <summary>Kernel log lines about this thread or its server (hung-task reports, "server not responding").</summary>
    public IReadOnlyList<string> KernelLog { get; init; } = [];
    /// <summary>For a blocker: the threads waiting for it; for a waiter: the thread it waits for. Plain words.</summary>
    public string? Triage { get; init; }
    public string? ContainerId { get; init; }
    public string? Unit { get; init; }
    /// <summary>The ECS task ARN of the container, when the ECS agent's introspection API is enabled.</summary>
    public string? EcsTask { get; init; }
    /// <summary>The ECS task family and revision ("web:3").</summary>
    public string? EcsTaskFamily { get; init; }

    public ThreadKey Key => new(Pid, Tid, StartTimeTicks);
}
