namespace NfsWatch.Core.Report;

/// <summary>One source of information that needs privileges, and how it went this scan.</summary>
/// <param name="Denied">Reads refused for lack of privilege this scan.</param>
/// <param name="Example">One thread a read was refused for ("pid 1 (systemd)"), or null.</param>
/// <param name="Consequence">What a person loses while it is missing.</param>
public sealed record ProbeStatus(string Name, bool Available, int Denied, string? Example, string Consequence);
