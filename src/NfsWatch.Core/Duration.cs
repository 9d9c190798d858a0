using System.Globalization;

namespace NfsWatch.Core;

/// <summary>Durations as the interface writes them: a number with a unit, "500ms", "5s", "2m", "1h".</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        int unitAt = text.Length;
        while (unitAt > 0 && char.IsAsciiLetter(text[unitAt - 1])) unitAt--;
        if (unitAt == 0 || unitAt == text.Length) return false;
        if (!double.TryParse(text.AsSpan(0, unitAt), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)) return false;
        double seconds = text[unitAt..] switch
        {
            "ms" => number / 1000,
            "s" => number,
            "m" => number * 60,
            "h" => number * 3600,
            _ => double.NaN,
        };
        if (double.IsNaN(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>A short human form: "850ms", "42s", "5m42s", "3h05m", "2d04h".</summary>
    public static string Format(double seconds)
    {
        if (seconds < 1) return $"{Math.Round(seconds * 1000)}ms";
        long s = (long)Math.Floor(seconds);
        if (s < 60) return $"{s}s";
        if (s < 3600) return $"{s / 60}m{s % 60:00}s";
        if (s < 86400) return $"{s / 3600}h{s % 3600 / 60:00}m";
        return $"{s / 86400}d{s % 86400 / 3600:00}h";
    }

    /// <summary>The form the options take: "30s", "500ms", "2m".</summary>
    public static string FormatOption(TimeSpan value)
    {
        double s = value.TotalSeconds;
        if (s < 1 || s != Math.Floor(s)) return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        if (s % 3600 == 0) return $"{s / 3600}h";
        if (s % 60 == 0) return $"{s / 60}m";
        return $"{s}s";
    }
}
