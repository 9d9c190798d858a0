namespace NfsWatch.Configuration;

/// <summary>Bad usage or a bad configuration value: printed on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
