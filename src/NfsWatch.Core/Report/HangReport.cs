using NfsWatch.Core.Procfs;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Core.Report;

/// <summary>
/// One thread that hangs, or may: what procfs observed (<see cref="Thread"/>) and what it means, decided
/// once by <see cref="ReportPipeline"/>. Outputs (metrics, journal, table, JSON) render it as it is.
/// </summary>
public sealed record HangReport
{
    public required ObservedThread Thread { get; init; }

    /// <summary>The filesystem type ("nfs4", "cifs", "fuse.sshfs"), or null when unknown.</summary>
    public string? FsType { get; init; }
    /// <summary>For mount(2): "bind", "move", "remount" when its flags say so.</summary>
    public string? How { get; init; }
    public string? Source { get; init; }
    /// <summary>The mount point: what a mount call mounts on, or the mount a blocked thread's file is on.</summary>
    public string? Target { get; init; }
    /// <summary>Mount options, secrets replaced by "***".</summary>
    public string? Options { get; init; }
    /// <summary>For NFS: "3", "4.0", "4.1", "4.2", or null when it cannot be told.</summary>
    public string? NfsVersion { get; init; }
    /// <summary>The NFS or SMB server, or null (other filesystems, or unknown).</summary>
    public string? Server { get; init; }
    /// <summary>
    /// True when the server comes from what only the administrator can make: a mounted filesystem (a blocked
    /// thread's file, a kernel thread's client), or a mount call already inside the filesystem's own code, past
    /// mount(2)'s privilege check. False for a server named only in the arguments of a call, which any user can
    /// sit in (mount(2) looks up its target first); metric labels give such names a slot last.
    /// </summary>
    public bool ServerEstablished { get; init; }
    /// <summary>True for NFS; the metric labels tell NFS of unknown version from other filesystems by it.</summary>
    public bool IsNfs { get; init; }

    public Owner Owner { get; init; } = Owner.None;
    /// <summary>The known kernel problem the stack matches, or null.</summary>
    public SignatureMatch? Signature { get; init; }
    /// <summary>"blocker" (others wait for it), "waiter" (it waits for another thread found), or null.</summary>
    public string? Role { get; init; }
    /// <summary>The thread it waits for and what for, or null.</summary>
    public WaitsFor? WaitsFor { get; init; }
    /// <summary>What it waits for when the holder was not found ("nlmsvc_mutex (lockd start-up)"), else null.</summary>
    public string? WaitsOn { get; init; }
    /// <summary>The threads waiting for it, directly.</summary>
    public IReadOnlyList<WaitsFor> Waiters { get; init; } = [];
    public HangCause Cause { get; init; }
    /// <summary>What to do: the action of the chain it is in, or of itself alone; null while it is not hung and holds up no one.</summary>
    public HangAction? Action { get; init; }
    /// <summary>Who waits for whom and what ends it, in plain words; null when there is nothing beyond the signature to say.</summary>
    public string? Triage { get; init; }
    /// <summary>Kernel log lines about this thread or its server (hung-task reports, "server not responding").</summary>
    public IReadOnlyList<string> KernelLog { get; init; } = [];

    public int Pid => Thread.Pid;
    public int Tid => Thread.Tid;
    public string Comm => Thread.Comm;
    public bool Hung => Thread.Hung;
    public double StuckSeconds => Thread.StuckSeconds;
    public ThreadKey Key => Thread.Key;
}
