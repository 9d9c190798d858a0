using System.Text;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// One line of /proc/PID/mountinfo (proc(5)):
/// <code>
/// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
/// (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
/// </code>
/// (1) mount ID, (2) parent ID, (3) major:minor of st_dev, (4) root of the mount within its filesystem,
/// (5) mount point relative to the process's root, (6) per-mount options, (7) zero or more optional fields
/// ended by (8) "-", (9) filesystem type, (10) mount source, (11) per-superblock options.
/// Paths escape space, tab, newline and backslash as octal (\040 \011 \012 \134).
/// </summary>
public sealed record MountInfo(
    int MountId,
    int ParentId,
    uint Major,
    uint Minor,
    string Root,
    string MountPoint,
    string MountOptions,
    IReadOnlyList<string> OptionalFields,
    string FsType,
    string Source,
    string SuperOptions)
{
    /// <summary>Parses a whole mountinfo file; malformed lines are reported in <paramref name="errors"/> and skipped.</summary>
    public static List<MountInfo> ParseAll(ReadOnlySpan<byte> text, List<string>? errors = null)
    {
        var mounts = new List<MountInfo>();
        while (!text.IsEmpty)
        {
            int nl = text.IndexOf((byte)'\n');
            var line = nl < 0 ? text : text[..nl];
            text = nl < 0 ? default : text[(nl + 1)..];
            if (line.Trim(" \t\r\0"u8).IsEmpty) continue;
            if (TryParse(line, out var mount, out string? error)) mounts.Add(mount);
            else errors?.Add(error!);
        }
        return mounts;
    }

    public static bool TryParse(ReadOnlySpan<byte> line, out MountInfo mount, out string? error)
    {
        mount = null!;
        error = null;
        // The kernel separates fields with exactly one space and escapes spaces inside them
        // (fs/proc_namespace.c show_mountinfo), so an empty field - a mount source of "" - is two spaces in a
        // row: split on single spaces, never collapse them.
        var fields = new List<string>(12);
        foreach (var range in line.TrimEnd("\n"u8).Split((byte)' ')) fields.Add(Unescape(line[range]));
        int dash = fields.Count > 7 ? fields.IndexOf("-", 6) : -1;
        if (dash < 0 || fields.Count < dash + 3)
        {
            error = ParseError.Message("mountinfo", "too few fields or no \" - \" separator", line);
            return false;
        }
        int colon = fields[2].IndexOf(':');
        if (!int.TryParse(fields[0], out int id) || !int.TryParse(fields[1], out int parent) || colon < 0 ||
            !uint.TryParse(fields[2].AsSpan(0, colon), out uint major) || !uint.TryParse(fields[2].AsSpan(colon + 1), out uint minor))
        {
            error = ParseError.Message("mountinfo", "bad mount id, parent id or major:minor", line);
            return false;
        }
        mount = new MountInfo(id, parent, major, minor, fields[3], fields[4], fields[5],
            fields.GetRange(6, dash - 6), fields[dash + 1], fields[dash + 2],
            fields.Count > dash + 3 ? fields[dash + 3] : "");
        return true;
    }

    /// <summary>Undoes the kernel's octal escaping (fs/proc_namespace.c mangle()).</summary>
    public static string Unescape(ReadOnlySpan<byte> field)
    {
        if (field.IndexOf((byte)'\\') < 0) return Encoding.UTF8.GetString(field);
        var bytes = new byte[field.Length];
        int n = 0;
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length + 0 && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                int v = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
                if (v <= 255)
                {
                    bytes[n++] = (byte)v;
                    i += 3;
                    continue;
                }
            }
            bytes[n++] = field[i];
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
