using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;

namespace NfsWatch.Tests.Support;

/// <summary>Hand-made observed threads, reports and scan reports for tests of explanation and outputs.</summary>
public static class Snapshots
{
    public static ObservedThread Thread(int pid, int tid, double stuck, bool hung, string? syscall = "mount", string comm = "mount.nfs4",
        IReadOnlyList<string>? stack = null, string? wchan = "rpc_wait_bit_killable", ThreadKind? kind = null, char state = 'D') => new()
    {
        Pid = pid, Tid = tid, StartTimeTicks = 100, Comm = comm, Syscall = syscall, SyscallNumber = syscall == "mount" ? 165 : 262, Args = default,
        Kind = kind ?? (syscall is "mount" or "umount2" or "fsconfig" or "fsopen" or "fsmount" ? ThreadKind.MountCall : ThreadKind.Blocked),
        State = state, Wchan = wchan, StuckSeconds = stuck, Hung = hung,
        Stack = stack ?? ["rpc_wait_bit_killable", "__rpc_execute", "__x64_sys_mount"],
    };

    /// <summary>A report of a thread, as the pipeline would make it for what is given.</summary>
    public static HangReport Call(int pid, int tid, double stuck, bool hung, string syscall = "mount", string? fstype = null,
        string? nfsVersion = null, string? server = null, string comm = "mount.nfs4") => new()
    {
        Thread = Thread(pid, tid, stuck, hung, syscall, comm),
        FsType = fstype, NfsVersion = nfsVersion, Server = server, IsNfs = fstype is "nfs" or "nfs4",
        Cause = HangCause.NoReplyFromServer,
    };

    public static ScanReport Of(IReadOnlyList<HangReport> calls, IReadOnlyList<HangReport>? newlyHung = null,
        Dictionary<string, int>? errors = null) => new()
    {
        Kernel = new KernelInfo("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1", "x86_64"),
        ThresholdSeconds = 30,
        ScannedThreads = 1834,
        MountCalls = calls,
        Blocked = [],
        NewlyHung = newlyHung ?? [],
        Actions = [],
        Probes = new Dictionary<string, ProbeStatus>
        {
            ["syscall"] = new("syscall", true, 0, null, Probe.Consequence("syscall")),
            ["stack"] = new("stack", false, 2, "pid 1", Probe.Consequence("stack")),
            ["sched"] = new("sched", true, 0, null, Probe.Consequence("sched")),
        },
        Errors = errors ?? [],
        ErrorSamples = [],
        Duration = TimeSpan.FromMilliseconds(12),
        FinishedAt = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000),
    };
}
