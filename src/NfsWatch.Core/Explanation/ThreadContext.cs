using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// An observed thread with what explanation found out about it before judging it: the mount it is about,
/// the filesystem, and, for NFS and CIFS, the server. The input of signatures and of the wait-for graph.
/// </summary>
public sealed record ThreadContext
{
    public required ObservedThread Thread { get; init; }
    /// <summary>What the call asked for, or the mount the blocked thread's file is on; null while unknown.</summary>
    public MountRequest? Request { get; init; }
    /// <summary>The filesystem type: from the request, else as the stack tells it ("nfs4", "cifs", "fuse"); null when unknown.</summary>
    public string? FsType { get; init; }
    /// <summary>The filesystem family: from <see cref="FsType"/>, else from the code the thread waits in.</summary>
    public FsFamily Family { get; init; }
    /// <summary>"3", "4.0", "4.1", "4.2" for NFS when known; null otherwise.</summary>
    public string? NfsVersion { get; init; }
    /// <summary>The NFS or SMB server's host name or address; null for other filesystems or when unknown.</summary>
    public string? Server { get; init; }
    /// <summary>The server's address as the kernel uses it (the addr= or ip= option), when given: kernel threads and log lines name this.</summary>
    public string? ServerAddress { get; init; }
    /// <summary>The process's network namespace ("net:[4026531840]"), or null when unreadable: NFS clients are per namespace.</summary>
    public string? NetNamespace { get; init; }

    /// <summary>For a thread on an autofs mount: the automount daemon, the leader of the process group the mount names (pgrp=).</summary>
    public ExternalHolder? AutofsDaemon { get; init; }

    /// <summary>The mount point: what a mount call mounts on, or the mount a blocked thread's file is on; when known.</summary>
    public string? MountPoint => Request?.Target;

    /// <summary>
    /// The mount whose filesystem the thread waits in: a blocked thread's; a mount call's only when it waits in
    /// the filesystem it mounts (a mount call can as well be stuck walking a path through another mount).
    /// </summary>
    public string? BlockedOn => Thread.Kind == ThreadKind.Blocked || (Request?.FsType is { } t && FileSystems.FamilyOf(t) == Family && Family != FsFamily.None)
        ? MountPoint : null;

    /// <summary>True when the thread waits in or on a network or FUSE filesystem.</summary>
    public bool OnRemoteFs => Family is FsFamily.Nfs or FsFamily.Cifs or FsFamily.Fuse or FsFamily.Autofs;

    /// <summary>True when <paramref name="other"/>'s server is known to be a different one (unknown servers rule nothing out).</summary>
    public bool OtherServer(ThreadContext other) =>
        Server is not null && other.Server is not null && Server != other.Server
        && (ServerAddress is null || other.ServerAddress is null || ServerAddress != other.ServerAddress);

    /// <summary>Builds the context of a thread from what its call asked for (or the mount it is on).</summary>
    public static ThreadContext Of(ObservedThread thread, MountRequest? request, string? netNamespace)
    {
        string? stackFsType = FileSystems.FsTypeFromStack(thread.Stack, thread.StackModules);
        string? fstype = request?.FsType ?? stackFsType;
        var family = FileSystems.FamilyOf(fstype);
        if (family == FsFamily.None && fstype is null) family = thread.CodeFamily;
        string? helper = HelperCommandLine.IsHelper(thread.Comm) ? thread.Comm : null;
        string? version = null, server = null, address = null;
        switch (family)
        {
            case FsFamily.Nfs:
                // Arguments read from the call are what the kernel got, and the kernel applies its defaults; a type
                // told only by the stack says nothing of the version beyond what its frames do.
                version = request?.FsType is not null
                    ? NfsOptions.Version(request.FsType, request.Options, fromKernel: request.FromCall, helper)
                    : FileSystems.NfsVersionFromStack(thread.Stack, thread.StackModules);
                server = NfsOptions.Server(request?.Source, request?.Options);
                address = NfsOptions.Option(request?.Options, "addr");
                break;
            case FsFamily.Cifs:
                server = FileSystems.ServerOf(fstype, request?.Source, request?.Options);
                address = NfsOptions.Option(request?.Options, "addr") ?? NfsOptions.Option(request?.Options, "ip");
                break;
        }
        // mount.nfs asks for "nfs" with vers=4.x; the kernel mounts that as nfs4, and names it so in mountinfo.
        if (fstype == "nfs" && version is ['4', ..]) fstype = "nfs4";
        return new ThreadContext
        {
            Thread = thread,
            Request = request,
            FsType = fstype,
            Family = family,
            NfsVersion = version,
            Server = Printable.Of(server),
            ServerAddress = Printable.Of(address),
            NetNamespace = netNamespace,
        };
    }
}
