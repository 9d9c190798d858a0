namespace NfsWatch.Core.Report;

/// <summary>A mount or automount unit as systemd reports it (the host asks systemd over D-Bus and hands the list in).</summary>
/// <param name="Seconds">For an activating unit, how long it has been activating; else 0.</param>
public sealed record MountUnit(string Name, string ActiveState, string SubState, double Seconds);
