using System.Text;

namespace NfsWatch.Core.Procfs;

/// <summary>Builds error messages that quote the offending proc content, bounded and escaped.</summary>
public static class ParseError
{
    private const int MaxQuoted = 120;

    public static string Quote(ReadOnlySpan<byte> content)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in content[..Math.Min(content.Length, MaxQuoted)])
        {
            if (b == '\\') sb.Append("\\\\");
            else if (b == '"') sb.Append("\\\"");
            else if (b == '\n') sb.Append("\\n");
            else if (b is >= 0x20 and < 0x7f) sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2"));
        }
        sb.Append('"');
        if (content.Length > MaxQuoted) sb.Append($" (+{content.Length - MaxQuoted} bytes)");
        return sb.ToString();
    }

    public static string Message(string file, string problem, ReadOnlySpan<byte> content) =>
        $"{file}: {problem}: {Quote(content)}";
}
