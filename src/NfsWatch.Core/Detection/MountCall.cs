using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Detection;

/// <summary>
/// A thread found inside a mount-family system call, with what one scan could learn about it. The fields
/// after <see cref="Stack"/> are filled by explanation; null means not known (yet).
/// </summary>
public sealed record MountCall
{
    public required int Pid { get; init; }
    public required int Tid { get; init; }
    public required ulong StartTimeTicks { get; init; }
    public required string Comm { get; init; }
    /// <summary>"mount", "umount2", "fsconfig", ...</summary>
    public required string Syscall { get; init; }
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
    public string? Source { get; init; }
    public string? Target { get; init; }
    public string? Options { get; init; }
    public string? NfsVersion { get; init; }
    public string? Server { get; init; }
    public string? Role { get; init; }
    public string? ContainerId { get; init; }
    public string? Unit { get; init; }
    public string? EcsTask { get; init; }

    public ThreadKey Key => new(Pid, Tid, StartTimeTicks);
}
