namespace NfsWatch.Core.Explanation;

/// <summary>What the mount options and source say about an NFS mount (nfs(5)).</summary>
public static class NfsOptions
{
    /// <summary>Option names whose values are secrets: never logged or exported (CIFS, Ceph, sshfs and the like pass them as mount data).</summary>
    private static readonly string[] SecretKeys = ["password", "pass", "passwd", "secret", "secretfile", "key", "token", "cred", "credentials", "authkey", "psk"];

    public static bool IsNfs(string? fstype) => fstype is "nfs" or "nfs4";

    /// <summary>"3", "4.0", "4.1", "4.2", or null when it cannot be told.</summary>
    /// <param name="fromKernel">
    /// True when the options are what the system call passed: the kernel then applies its own defaults
    /// (fs/nfs/fs_context.c: "nfs" without vers= is version 3; "nfs4" or vers=4 without a minor version is
    /// 4.0). False for a helper's command line, where mount.nfs negotiates the version when none is given.
    /// </param>
    public static string? Version(string? fstype, string? options, bool fromKernel, string? helper = null)
    {
        var o = Parse(options);
        string? vers = o.GetValueOrDefault("vers") ?? o.GetValueOrDefault("nfsvers");
        string? minor = o.GetValueOrDefault("minorversion");
        if (vers is not null)
        {
            if (vers is "3") return "3";
            if (vers is "4.0" or "4.1" or "4.2") return vers;
            if (vers is "4") return minor is "0" or "1" or "2" ? $"4.{minor}" : fromKernel ? "4.0" : null;
            return null;
        }
        // amazon-efs-utils mounts NFS 4.1 unless told otherwise.
        if (helper is "mount.efs") return minor is "0" or "1" or "2" ? $"4.{minor}" : "4.1";
        if (!fromKernel) return null;
        if (fstype == "nfs4") return minor is "0" or "1" or "2" ? $"4.{minor}" : "4.0";
        if (fstype == "nfs") return "3";
        return null;
    }

    /// <summary>The server: the host part of "host:/path" ("[v6]:/path"), else the addr= option.</summary>
    public static string? Server(string? source, string? options)
    {
        if (source is not null)
        {
            if (source.StartsWith('['))
            {
                int close = source.IndexOf(']');
                if (close > 1) return source[1..close];
            }
            int colon = source.IndexOf(':');
            if (colon > 0) return source[..colon];
        }
        return Parse(options).GetValueOrDefault("addr");
    }

    /// <summary>The options with the values of secret-bearing keys replaced by "***".</summary>
    public static string? Redact(string? options)
    {
        if (options is null) return null;
        var parts = options.Split(',');
        for (int i = 0; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=');
            if (eq > 0 && SecretKeys.Contains(parts[i][..eq].Trim().ToLowerInvariant())) parts[i] = parts[i][..(eq + 1)] + "***";
        }
        return string.Join(',', parts);
    }

    private static Dictionary<string, string> Parse(string? options)
    {
        var result = new Dictionary<string, string>();
        if (options is null) return result;
        foreach (string part in options.Split(','))
        {
            int eq = part.IndexOf('=');
            if (eq > 0) result[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            else if (part.Length > 0) result[part.Trim()] = "";
        }
        return result;
    }
}
