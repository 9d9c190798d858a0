namespace NfsWatch.Outputs.Journal;

/// <summary>
/// Writes one structured entry to the systemd journal. Small on purpose: a packaged journal library could
/// stand in for <see cref="NativeJournalWriter"/> behind it.
/// </summary>
public interface IJournalWriter
{
    /// <summary>False when no journald listens (the socket is missing); entries are then dropped.</summary>
    bool IsAvailable { get; }

    /// <summary>Writes the fields as one entry; false when it could not be written.</summary>
    bool TryWrite(IReadOnlyList<KeyValuePair<string, string>> fields);
}
