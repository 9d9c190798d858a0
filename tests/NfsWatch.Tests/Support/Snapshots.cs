using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Support;

/// <summary>Hand-made snapshots for output tests.</summary>
public static class Snapshots
{
    public static StuckThread Call(int pid, int tid, double stuck, bool hung, string syscall = "mount", string? fstype = null,
        string? nfsVersion = null, string? server = null, string comm = "mount.nfs4") => new()
    {
        Pid = pid, Tid = tid, StartTimeTicks = 100, Comm = comm, Syscall = syscall, SyscallNumber = 165, Args = default,
        State = 'D', Wchan = "rpc_wait_bit_killable", StuckSeconds = stuck, Hung = hung,
        Stack = ["rpc_wait_bit_killable", "__rpc_execute", "__x64_sys_mount"],
        FsType = fstype, NfsVersion = nfsVersion, Server = server,
    };

    public static ScanSnapshot Of(IReadOnlyList<StuckThread> calls, IReadOnlyList<StuckThread>? newlyHung = null,
        Dictionary<string, int>? errors = null) => new()
    {
        Kernel = new KernelInfo("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1", "x86_64"),
        ThresholdSeconds = 30,
        ScannedThreads = 1834,
        MountCalls = calls,
        NewlyHung = newlyHung ?? [],
        Probes = new Dictionary<string, bool> { ["syscall"] = true, ["stack"] = false, ["sched"] = true },
        DeniedReads = new Dictionary<string, int> { ["stack"] = 2 },
        DeniedExamples = new Dictionary<string, string> { ["stack"] = "pid 1" },
        Errors = errors ?? [],
        ErrorSamples = [],
        Duration = TimeSpan.FromMilliseconds(12),
        FinishedAt = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000),
    };
}
