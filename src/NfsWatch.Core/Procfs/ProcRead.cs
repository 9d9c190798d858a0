namespace NfsWatch.Core.Procfs;

/// <summary>How one read of a proc file ended.</summary>
public enum ProcReadStatus
{
    Ok,
    /// <summary>The task (or the file) is gone: ENOENT or ESRCH. Normal while threads come and go.</summary>
    Vanished,
    /// <summary>EACCES or EPERM: the daemon lacks the privilege (ptrace rights, CAP_SYS_ADMIN for stack).</summary>
    Denied,
    /// <summary>Any other error; <see cref="ProcReadResult.Errno"/> says which.</summary>
    Failed,
}

/// <summary>The outcome of a raw read: how many bytes landed in the caller's buffer, or why none did.</summary>
public readonly record struct ProcReadResult(ProcReadStatus Status, int Length, int Errno)
{
    public bool IsOk => Status == ProcReadStatus.Ok;

    public static ProcReadResult FromErrno(int errno) => errno switch
    {
        Errnos.ENOENT or Errnos.ESRCH or Errnos.ENOTDIR => new(ProcReadStatus.Vanished, 0, errno),
        Errnos.EACCES or Errnos.EPERM => new(ProcReadStatus.Denied, 0, errno),
        _ => new(ProcReadStatus.Failed, 0, errno),
    };
}

internal static class Errnos
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EACCES = 13, ENOTDIR = 20;
}
