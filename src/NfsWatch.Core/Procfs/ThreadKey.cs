namespace NfsWatch.Core.Procfs;

/// <summary>
/// A thread's identity across scans. The start time (stat field 22) makes a reused thread id a different
/// key, so a new thread never inherits the age of an old one.
/// </summary>
public readonly record struct ThreadKey(int Pid, int Tid, ulong StartTimeTicks);
