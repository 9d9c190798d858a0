using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>What a filesystem type, a stack or a mount source says about the filesystem.</summary>
public static class FileSystems
{
    /// <summary>The family of a filesystem type as the kernel names it: "nfs4" is NFS, "fuse.sshfs" FUSE, "smb3" CIFS.</summary>
    public static FsFamily FamilyOf(string? fstype) => fstype switch
    {
        null => FsFamily.None,
        "nfs" or "nfs4" => FsFamily.Nfs,
        "cifs" or "smb3" or "smb" or "smbfs" => FsFamily.Cifs,
        "fuse" or "fuseblk" or "virtiofs" => FsFamily.Fuse,
        "autofs" or "autofs4" => FsFamily.Autofs,
        _ when fstype.StartsWith("fuse.", StringComparison.Ordinal) || fstype.StartsWith("fuseblk.", StringComparison.Ordinal) => FsFamily.Fuse,
        _ => FsFamily.None,
    };

    /// <summary>
    /// The filesystem type a stack shows, for a call whose arguments are unknown: NFS 4 (nfs4_* frames or the
    /// nfsv4 module) from NFS 2/3 (nfs3_* frames, the nfsv3 module, the mountd and lockd steps of an NFSv3
    /// mount), CIFS, FUSE, autofs. An NFS stack that tells neither version (nfs_kill_super) is "nfs"; its version stays unknown.
    /// </summary>
    public static string? FsTypeFromStack(IReadOnlyList<string> stack, IReadOnlyList<string?> modules)
    {
        switch (FsCode.OfStack(stack, modules))
        {
            case FsFamily.Nfs:
                return NfsVersionFromStack(stack, modules) is "3" ? "nfs" : IsNfs4(stack, modules) ? "nfs4" : "nfs";
            case FsFamily.Cifs: return "cifs";
            case FsFamily.Fuse: return "fuse";
            case FsFamily.Autofs: return "autofs";
        }
        // A thread that has not reached the filesystem's own code yet may still show its entry points.
        foreach (string frame in stack)
        {
            if (frame is "nfs_kill_super" or "nfs_get_tree" or "nfs_fs_mount" or "nfs4_try_get_tree") return IsNfs4(stack, modules) ? "nfs4" : "nfs";
            if (frame is "cifs_kill_sb" or "cifs_smb3_do_mount" or "smb3_get_tree") return "cifs";
            if (frame.StartsWith("fuse_kill_sb", StringComparison.Ordinal)) return "fuse";
        }
        return null;
    }

    /// <summary>"3" when the stack is an NFSv3 one; null when it cannot say (a v4 stack does not tell its minor version).</summary>
    public static string? NfsVersionFromStack(IReadOnlyList<string> stack, IReadOnlyList<string?> modules)
    {
        if (IsNfs4(stack, modules)) return null;
        for (int i = 0; i < stack.Count; i++)
        {
            string f = stack[i];
            if ((i < modules.Count && modules[i] == "nfsv3") || f.StartsWith("nfs3_", StringComparison.Ordinal)
                || f is "nfs_mount" or "nfs_request_mount" or "nfs_try_mount_request" or "nfs_start_lockd" or "nfs_try_get_tree") return "3";
        }
        return null;
    }

    private static bool IsNfs4(IReadOnlyList<string> stack, IReadOnlyList<string?> modules)
    {
        for (int i = 0; i < stack.Count; i++)
            if ((i < modules.Count && modules[i] == "nfsv4") || stack[i].StartsWith("nfs4", StringComparison.Ordinal)
                || stack[i].StartsWith("nfs41_", StringComparison.Ordinal) || stack[i].StartsWith("nfs40_", StringComparison.Ordinal)
                || stack[i].StartsWith("_nfs4_", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The NFS or SMB server of a mount, from its source and options; null for other filesystems.</summary>
    public static string? ServerOf(string? fstype, string? source, string? options) => FamilyOf(fstype) switch
    {
        FsFamily.Nfs => NfsOptions.Server(source, options),
        FsFamily.Cifs => CifsServer(source) ?? NfsOptions.Option(options, "addr") ?? NfsOptions.Option(options, "ip"),
        _ => null,
    };

    /// <summary>The server of a CIFS source: "//server/share" or "\\server\share" (mount.cifs(8)).</summary>
    public static string? CifsServer(string? source)
    {
        if (source is null) return null;
        string s = source.Replace('\\', '/');
        if (!s.StartsWith("//", StringComparison.Ordinal)) return null;
        int end = s.IndexOf('/', 2);
        string host = end < 0 ? s[2..] : s[2..end];
        return host.Length > 0 ? host : null;
    }
}
