namespace NfsWatch.Core.Detection;

/// <summary>The kinds of filesystem whose code a blocked thread can wait in, as far as NfsWatch tells them apart.</summary>
public enum FsFamily
{
    /// <summary>None of those below: local filesystems, the block layer, the VFS alone.</summary>
    None,
    /// <summary>NFS, with SUNRPC and lockd underneath.</summary>
    Nfs,
    /// <summary>CIFS/SMB (fs/smb/client, the cifs module).</summary>
    Cifs,
    /// <summary>FUSE: sshfs, s3fs, glusterfs, rclone, ... whose server is a process on this host.</summary>
    Fuse,
    /// <summary>autofs: a path walk waiting for the automount daemon to mount something.</summary>
    Autofs,
}

/// <summary>
/// Which filesystem's code a kernel stack or wait channel is in: by the module a frame belongs to ("[nfsv4]",
/// "[cifs]", "[fuse]" - printed for modular builds), else by function name, for kernels that build them in.
/// The innermost frame that names one decides: a thread in an NFS RPC under an autofs walk waits on NFS.
/// </summary>
public static class FsCode
{
    private static readonly Dictionary<string, FsFamily> Modules = new(StringComparer.Ordinal)
    {
        ["nfs"] = FsFamily.Nfs, ["nfsv2"] = FsFamily.Nfs, ["nfsv3"] = FsFamily.Nfs, ["nfsv4"] = FsFamily.Nfs, ["sunrpc"] = FsFamily.Nfs,
        ["lockd"] = FsFamily.Nfs, ["nfs_acl"] = FsFamily.Nfs, ["auth_rpcgss"] = FsFamily.Nfs, ["rpcsec_gss_krb5"] = FsFamily.Nfs,
        ["nfs_layout_nfsv41_files"] = FsFamily.Nfs, ["nfs_layout_flexfiles"] = FsFamily.Nfs, ["blocklayoutdriver"] = FsFamily.Nfs,
        ["rpcrdma"] = FsFamily.Nfs, ["xprtrdma"] = FsFamily.Nfs,
        ["cifs"] = FsFamily.Cifs, ["smb"] = FsFamily.Cifs, ["smbfs"] = FsFamily.Cifs,
        ["fuse"] = FsFamily.Fuse, ["cuse"] = FsFamily.Fuse, ["virtiofs"] = FsFamily.Fuse,
        ["autofs4"] = FsFamily.Autofs, ["autofs"] = FsFamily.Autofs,
    };

    // Function-name prefixes, for kernels with these filesystems built in (and for wchan, which names no module).
    private static readonly (string Prefix, FsFamily Family)[] Prefixes =
    [
        ("nfs_", FsFamily.Nfs), ("nfs3_", FsFamily.Nfs), ("nfs4_", FsFamily.Nfs), ("nfs40_", FsFamily.Nfs), ("nfs41_", FsFamily.Nfs),
        ("nfs42_", FsFamily.Nfs), ("_nfs4_", FsFamily.Nfs), ("__nfs", FsFamily.Nfs), ("pnfs_", FsFamily.Nfs), ("rpc_", FsFamily.Nfs),
        ("__rpc_", FsFamily.Nfs), ("xprt_", FsFamily.Nfs), ("xs_", FsFamily.Nfs), ("nlmclnt_", FsFamily.Nfs), ("nlm_", FsFamily.Nfs),
        ("lockd_", FsFamily.Nfs),
        ("cifs_", FsFamily.Cifs), ("CIFS", FsFamily.Cifs), ("smb2_", FsFamily.Cifs), ("SMB2_", FsFamily.Cifs), ("smb3_", FsFamily.Cifs),
        ("smb311_", FsFamily.Cifs), ("smb_send", FsFamily.Cifs), ("__smb_send", FsFamily.Cifs), ("SendReceive", FsFamily.Cifs),
        ("wait_for_response", FsFamily.Cifs), ("compound_send_recv", FsFamily.Cifs), ("cifs", FsFamily.Cifs),
        ("fuse_", FsFamily.Fuse), ("__fuse_", FsFamily.Fuse), ("request_wait_answer", FsFamily.Fuse), ("virtio_fs_", FsFamily.Fuse),
        ("autofs_", FsFamily.Autofs), ("autofs4_", FsFamily.Autofs),
    ];

    /// <summary>The family a function belongs to by its name, or None.</summary>
    public static FsFamily OfFunction(string? function)
    {
        if (function is null) return FsFamily.None;
        foreach (var (prefix, family) in Prefixes)
            if (function.StartsWith(prefix, StringComparison.Ordinal)) return family;
        return FsFamily.None;
    }

    /// <summary>The family of a module tag ("nfsv4", "cifs"), or None.</summary>
    public static FsFamily OfModule(string? module) =>
        module is not null && Modules.TryGetValue(module, out var family) ? family : FsFamily.None;

    /// <summary>The family of the innermost frame that belongs to one; <paramref name="modules"/> may be empty (no tags).</summary>
    public static FsFamily OfStack(IReadOnlyList<string> frames, IReadOnlyList<string?> modules)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            var family = OfModule(i < modules.Count ? modules[i] : null);
            if (family == FsFamily.None) family = OfFunction(frames[i]);
            if (family != FsFamily.None) return family;
        }
        return FsFamily.None;
    }

    /// <summary>True for NFS client or SUNRPC code (the family of hard-mount hangs).</summary>
    public static bool IsNfsFunction(string? function) => OfFunction(function) == FsFamily.Nfs;
}
