namespace NfsWatch.Core.Procfs;

/// <summary>
/// /proc/PID/task/TID/stack: one frame per line, innermost first. Current kernels print
/// "[&lt;0&gt;] rpc_wait_bit_killable+0xd/0x70 [sunrpc]" (addresses hidden), older ones
/// "[&lt;ffffffffc0a1b2c3&gt;] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]" and end with a
/// "[&lt;ffffffffffffffff&gt;] 0xffffffffffffffff" line. Only function names are kept.
/// Reading it needs CAP_SYS_ADMIN in the initial user namespace.
/// </summary>
public static class KernelStack
{
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> text) => Parse(text, out _);

    /// <summary>
    /// The function names, innermost first, and beside each the module it belongs to ("nfsv4" for a line
    /// ending in "[nfsv4]"), or null for a function built into the kernel.
    /// </summary>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> text, out IReadOnlyList<string?> modules)
    {
        var frames = new List<string>();
        List<string?>? mods = null;
        while (!text.IsEmpty)
        {
            int nl = text.IndexOf((byte)'\n');
            var line = nl < 0 ? text : text[..nl];
            text = nl < 0 ? default : text[(nl + 1)..];
            string? name = ParseFrame(line);
            if (name is null) continue;
            string? module = ParseModule(line);
            if (module is not null && mods is null) mods = [.. Enumerable.Repeat<string?>(null, frames.Count)];
            frames.Add(name);
            mods?.Add(module);
        }
        modules = mods ?? (IReadOnlyList<string?>)Array.Empty<string?>();
        return frames;
    }

    /// <summary>The module tag at the end of a frame line ("... [sunrpc]"), or null.</summary>
    public static string? ParseModule(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd("\r\n \0"u8);
        if (line.IsEmpty || line[^1] != (byte)']') return null;
        int open = line.LastIndexOf((byte)'[');
        // "[<0>] f+0x1/0x2" has its only brackets at the start: that is the address, not a module.
        if (open <= 0 || line[open - 1] != (byte)' ') return null;
        var name = line[(open + 1)..^1];
        if (name.IsEmpty || name.Length > 64) return null;
        foreach (byte b in name)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-')) return null;
        return System.Text.Encoding.ASCII.GetString(name);
    }

    /// <summary>The function name of one frame line, or null for a line that names none.</summary>
    public static string? ParseFrame(ReadOnlySpan<byte> line)
    {
        int close = line.IndexOf("] "u8);
        if (close < 0) return null;
        var rest = line[(close + 2)..].Trim((byte)' ');
        int end = rest.IndexOfAny((byte)'+', (byte)' ');
        var name = end < 0 ? rest : rest[..end];
        if (name.IsEmpty || name.StartsWith("0x"u8)) return null;
        foreach (byte b in name)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.' or (byte)'$')) return null;
        return System.Text.Encoding.ASCII.GetString(name);
    }
}
