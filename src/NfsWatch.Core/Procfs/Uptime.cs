namespace NfsWatch.Core.Procfs;

/// <summary>/proc/uptime: "UP IDLE", seconds since boot (including suspend) and summed idle time.</summary>
public static class Uptime
{
    public static bool TryParse(ReadOnlySpan<byte> text, out double seconds, out string? error)
    {
        seconds = 0;
        error = null;
        var tokens = new SpaceTokens(text);
        if (!tokens.MoveNext() || !Numbers.TryParseDecimal(tokens.Current, out seconds) || seconds < 0)
        {
            seconds = 0;
            error = ParseError.Message("uptime", "bad uptime", text);
            return false;
        }
        return true;
    }
}
