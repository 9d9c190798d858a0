namespace NfsWatch.Core.Detection;

/// <summary>A scan could not run at all (for example the procfs root cannot be listed).</summary>
public sealed class ScanFailedException(string message) : Exception(message);
