namespace NfsWatch.Core;

/// <summary>
/// Text that other processes control (command names, command lines, mount sources) on its way to logs,
/// terminals and the journal: control characters are shown as \xNN, so nothing can forge a log line or
/// send escape sequences to a terminal.
/// </summary>
public static class Printable
{
    public static string? Of(string? text) =>
        text is null || !text.Any(char.IsControl) ? text : string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
