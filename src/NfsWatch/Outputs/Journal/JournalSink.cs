using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace NfsWatch.Outputs.Journal;

/// <summary>
/// A Serilog sink writing native journal entries: MESSAGE in plain words, PRIORITY from the level (syslog(3)
/// numbers), SYSLOG_IDENTIFIER=nfswatch, and every event property named like a journal field (NFSWATCH_*) as
/// a field of its own, so that `journalctl NFSWATCH_EVENT=hung` finds them.
/// </summary>
public sealed class JournalSink(IJournalWriter writer) : ILogEventSink
{
    public const string Identifier = "nfswatch";
    private static readonly MessageTemplateTextFormatter Message = new("{Message:lj}", CultureInfo.InvariantCulture);

    public void Emit(LogEvent logEvent)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        Message.Format(logEvent, text);
        if (logEvent.Exception is not null) text.Write("\n" + logEvent.Exception);
        var fields = new List<KeyValuePair<string, string>>(24)
        {
            new("MESSAGE", text.ToString()),
            new("PRIORITY", Priority(logEvent.Level)),
            new("SYSLOG_IDENTIFIER", Identifier),
        };
        foreach (var (name, value) in logEvent.Properties)
            if (name.StartsWith("NFSWATCH_", StringComparison.Ordinal) && JournalEntry.IsValidKey(name))
                fields.Add(new(name, Render(value)));
        writer.TryWrite(fields);
    }

    /// <summary>syslog(3) priorities: 2 crit, 3 err, 4 warning, 6 info, 7 debug.</summary>
    public static string Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => "2",
        LogEventLevel.Error => "3",
        LogEventLevel.Warning => "4",
        LogEventLevel.Information => "6",
        _ => "7",
    };

    private static string Render(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: null } => "",
        ScalarValue { Value: IFormattable f } => f.ToString(null, CultureInfo.InvariantCulture),
        ScalarValue s => s.Value!.ToString() ?? "",
        SequenceValue seq => string.Join("\n", seq.Elements.Select(Render)),
        _ => value.ToString(),
    };
}
