namespace NfsWatch.Core.Report;

/// <summary>The thread a hung thread waits for, and what for (the scan JSON's "waits_for").</summary>
/// <param name="On">The resource, in words: "nlmsvc_mutex (lockd start-up)", "the initialisation of the NFS client for 10.0.0.5".</param>
public sealed record WaitsFor(int Pid, int Tid, string Comm, string On);
