using System.Runtime.CompilerServices;

namespace NfsWatch.Core.Procfs;

/// <summary>What /proc/PID/task/TID/syscall says the thread is doing.</summary>
public enum SyscallState
{
    /// <summary>Blocked inside system call <see cref="ThreadSyscall.Number"/>.</summary>
    InSyscall,
    /// <summary>"-1 sp pc": blocked, but not in a system call (a page fault, for example).</summary>
    NotInSyscall,
    /// <summary>"running": on a CPU right now, nothing to report.</summary>
    Running,
}

/// <summary>The six argument registers of a system call. Compared by value (the default ValueType
/// equality does not support inline arrays).</summary>
[InlineArray(6)]
public struct SyscallArgs : IEquatable<SyscallArgs>
{
    private ulong _element;

    public readonly bool Equals(SyscallArgs other) => ((ReadOnlySpan<ulong>)this).SequenceEqual(other);

    public override readonly bool Equals(object? obj) => obj is SyscallArgs other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ulong v in (ReadOnlySpan<ulong>)this) hash.Add(v);
        return hash.ToHashCode();
    }
}

/// <summary>
/// /proc/PID/task/TID/syscall (proc(5)): "NR arg1 arg2 arg3 arg4 arg5 arg6 sp pc" with the arguments in
/// hexadecimal; "-1 sp pc" when blocked outside a system call; "running" when running. Reading it needs
/// ptrace-attach rights on the task (CAP_SYS_PTRACE for other users' tasks).
/// </summary>
public readonly record struct ThreadSyscall(SyscallState State, int Number, SyscallArgs Args, ulong StackPointer, ulong ProgramCounter)
{
    public static bool TryParse(ReadOnlySpan<byte> text, out ThreadSyscall syscall, out string? error)
    {
        syscall = default;
        error = null;
        var tokens = new SpaceTokens(text);
        if (!tokens.MoveNext())
        {
            error = ParseError.Message("syscall", "empty", text);
            return false;
        }
        var first = tokens.Current;
        if (first.SequenceEqual("running"u8))
        {
            syscall = new ThreadSyscall(SyscallState.Running, -1, default, 0, 0);
            return true;
        }
        if (!Numbers.TryParseInt(first, out int nr) || nr < -1)
        {
            error = ParseError.Message("syscall", "bad system call number", text);
            return false;
        }
        var args = new SyscallArgs();
        int argCount = nr == -1 ? 0 : 6;
        for (int i = 0; i < argCount; i++)
        {
            if (!tokens.MoveNext() || !Numbers.TryParseHex(tokens.Current, out args[i]))
            {
                error = ParseError.Message("syscall", $"bad or missing argument {i + 1}", text);
                return false;
            }
        }
        if (!tokens.MoveNext() || !Numbers.TryParseHex(tokens.Current, out ulong sp) ||
            !tokens.MoveNext() || !Numbers.TryParseHex(tokens.Current, out ulong pc))
        {
            error = ParseError.Message("syscall", "missing stack or instruction pointer", text);
            return false;
        }
        syscall = new ThreadSyscall(nr == -1 ? SyscallState.NotInSyscall : SyscallState.InSyscall, nr, args, sp, pc);
        return true;
    }
}
