namespace NfsWatch.Core.Explanation;

/// <summary>What the mount options and source say about an NFS mount (nfs(5)).</summary>
public static class NfsOptions
{
    /// <summary>Option names whose values are secrets: never logged or exported (CIFS, Ceph, sshfs and the like pass them as mount data).</summary>
    private static readonly string[] SecretKeys = ["secret", "secretfile", "key", "token", "cred", "credentials", "authkey", "psk"];

    /// <summary>A key whose value is a secret: the list above, and every pass* (password, password2 of CIFS since 6.10, passwd, pass2).</summary>
    internal static bool IsSecret(string key)
    {
        key = key.Trim().ToLowerInvariant();
        return key.StartsWith("pass", StringComparison.Ordinal) || SecretKeys.Contains(key);
    }

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
        // vers=, nfsvers= and the flags v3, v4, v4.0, v4.1, v4.2 set one option: the last one given wins
        // (fs/nfs/fs_context.c: Opt_vers and Opt_v are parsed into the same field).
        string? vers = null;
        foreach (var (key, value) in Split(options))
        {
            if (key is "vers" or "nfsvers") vers = value;
            else if (key is "v2" or "v3" or "v4" or "v4.0" or "v4.1" or "v4.2" && value.Length == 0) vers = key[1..];
        }
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

    /// <summary>The value of option <paramref name="key"/> (the last one given), or null.</summary>
    public static string? Option(string? options, string key) => Parse(options).GetValueOrDefault(key) is { Length: > 0 } v ? v : null;

    /// <summary>The options with the values of secret-bearing keys replaced by "***".</summary>
    public static string? Redact(string? options)
    {
        if (options is null) return null;
        var parts = SplitRaw(options);
        for (int i = 0; i < parts.Count; i++)
        {
            int eq = parts[i].IndexOf('=');
            if (eq > 0 && IsSecret(parts[i][..eq])) parts[i] = parts[i][..(eq + 1)] + "***";
        }
        return string.Join(',', parts);
    }

    private static Dictionary<string, string> Parse(string? options)
    {
        var result = new Dictionary<string, string>();
        foreach (var (key, value) in Split(options)) result[key] = value;
        return result;
    }

    private static IEnumerable<(string Key, string Value)> Split(string? options)
    {
        if (options is null) yield break;
        foreach (string part in SplitRaw(options))
        {
            int eq = part.IndexOf('=');
            if (eq > 0) yield return (part[..eq].Trim(), part[(eq + 1)..].Trim());
            else if (part.Trim().Length > 0) yield return (part.Trim(), "");
        }
    }

    /// <summary>
    /// Splits on commas, keeping ",," as a literal comma inside a value: CIFS lets a password contain a comma
    /// that way (fs/smb/client/fs_context.c smb3_fs_context_parse_monolithic), and a split inside it would
    /// leave part of the secret visible.
    /// </summary>
    private static List<string> SplitRaw(string options)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < options.Length; i++)
        {
            if (options[i] != ',') { current.Append(options[i]); continue; }
            if (i + 1 < options.Length && options[i + 1] == ',') { current.Append(",,"); i++; continue; }
            parts.Add(current.ToString());
            current.Clear();
        }
        parts.Add(current.ToString());
        return parts;
    }
}
