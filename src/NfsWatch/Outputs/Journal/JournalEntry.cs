using System.Buffers.Binary;
using System.Text;

namespace NfsWatch.Outputs.Journal;

/// <summary>
/// Serialises fields in journald's native protocol (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/): "KEY=value\n",
/// or, for a value containing a newline, "KEY\n", the value's length as a 64-bit little-endian integer, the
/// value and "\n". Keys are upper-case letters, digits and '_', not starting with '_' (those are trusted
/// fields journald sets itself) and at most 64 characters; other keys are dropped.
/// </summary>
public static class JournalEntry
{
    public static byte[] Serialize(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        using var o = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        foreach (var (key, value) in fields)
        {
            if (!IsValidKey(key)) continue;
            byte[] k = Encoding.ASCII.GetBytes(key);
            byte[] v = Encoding.UTF8.GetBytes(value);
            o.Write(k);
            if (Array.IndexOf(v, (byte)'\n') < 0)
            {
                o.WriteByte((byte)'=');
                o.Write(v);
            }
            else
            {
                o.WriteByte((byte)'\n');
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)v.Length);
                o.Write(length);
                o.Write(v);
            }
            o.WriteByte((byte)'\n');
        }
        return o.ToArray();
    }

    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 64 && key[0] != '_' && !char.IsAsciiDigit(key[0]) &&
        key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');
}
