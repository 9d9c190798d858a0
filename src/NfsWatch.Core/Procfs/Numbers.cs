using System.Buffers.Text;
using System.Globalization;

namespace NfsWatch.Core.Procfs;

/// <summary>Strict number parsing over UTF-8 spans: the whole token must be the number.</summary>
internal static class Numbers
{
    public static bool TryParseInt(ReadOnlySpan<byte> s, out int value) =>
        Utf8Parser.TryParse(s, out value, out int used) && used == s.Length;

    public static bool TryParseUInt(ReadOnlySpan<byte> s, out uint value) =>
        Utf8Parser.TryParse(s, out value, out int used) && used == s.Length;

    public static bool TryParseULong(ReadOnlySpan<byte> s, out ulong value) =>
        Utf8Parser.TryParse(s, out value, out int used) && used == s.Length;

    /// <summary>"0x7ffd..." as the syscall file prints its arguments.</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.Length < 3 || s[0] != '0' || (s[1] | 0x20) != 'x') return false;
        return Utf8Parser.TryParse(s[2..], out value, out int used, 'x') && used == s.Length - 2;
    }

    /// <summary>A decimal such as "94617.452831" (sched prints milliseconds with six decimals).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 64) return false;
        Span<char> chars = stackalloc char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'-')) return false;
            chars[i] = (char)s[i];
        }
        return double.TryParse(chars, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
