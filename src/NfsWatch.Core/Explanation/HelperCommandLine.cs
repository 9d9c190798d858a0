using NfsWatch.Core;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// The command line of a mount helper: "mount.nfs4 SERVER:/PATH DIR [-o OPTIONS] [-s -r -v -w -n -f]"
/// (mount.nfs(8)), "mount.efs fs-12345678:/ DIR -o tls" (amazon-efs-utils). The fallback when the system
/// call's own arguments cannot be read.
/// </summary>
public static class HelperCommandLine
{
    public static readonly string[] Helpers = ["mount.nfs", "mount.nfs4", "mount.efs"];

    public static bool IsHelper(string comm) => Helpers.Contains(comm);

    /// <summary>Parses /proc/PID/cmdline (NUL-separated); null when it is not a helper's.</summary>
    public static MountRequest? Parse(byte[] cmdline)
    {
        var argv = System.Text.Encoding.UTF8.GetString(cmdline).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        if (argv.Length < 3) return null;
        string helper = Path.GetFileName(argv[0]);
        if (!IsHelper(helper)) return null;
        var positional = new List<string>();
        // Joined once at the end: appending each -o to the options so far is quadratic in their number.
        var options = new List<string>();
        for (int i = 1; i < argv.Length; i++)
        {
            if (argv[i] == "-o" && i + 1 < argv.Length) options.Add(argv[++i]);
            else if (argv[i].StartsWith("-o", StringComparison.Ordinal) && argv[i].Length > 2) options.Add(argv[i][2..]);
            else if (!argv[i].StartsWith('-')) positional.Add(argv[i]);
        }
        if (positional.Count < 2) return null;
        string fstype = helper == "mount.nfs" ? "nfs" : "nfs4";
        // A command line is anyone's text: no control characters reach logs or terminals.
        return new MountRequest(fstype, Printable.Of(positional[0]), Printable.Of(positional[1]), Printable.Of(NfsOptions.Redact(options.Count == 0 ? null : string.Join(',', options))), null) { FromCall = false };
    }

    /// <summary>The helper's name when <paramref name="cmdline"/> is one's.</summary>
    public static string? HelperName(byte[] cmdline)
    {
        int nul = Array.IndexOf(cmdline, (byte)0);
        string argv0 = System.Text.Encoding.UTF8.GetString(cmdline, 0, nul < 0 ? cmdline.Length : nul);
        string name = Path.GetFileName(argv0);
        return IsHelper(name) ? name : null;
    }
}
