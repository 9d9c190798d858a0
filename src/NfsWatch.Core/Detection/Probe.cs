namespace NfsWatch.Core.Detection;

/// <summary>
/// A source of information that needs privileges. Names as in the metric
/// <c>nfswatch_probe_available{probe}</c>.
/// </summary>
public static class Probe
{
    /// <summary>/proc/PID/task/TID/syscall: needs ptrace-attach rights (CAP_SYS_PTRACE for other users' tasks). Without it no mount call can be found.</summary>
    public const string Syscall = "syscall";
    /// <summary>/proc/PID/task/TID/stack: needs CAP_SYS_ADMIN and ptrace-attach rights. Without it stacks are empty.</summary>
    public const string Stack = "stack";
    /// <summary>/proc/PID/task/TID/sched: without it the age comes only from when the daemon first saw the call.</summary>
    public const string Sched = "sched";

    /// <summary>/proc/PID/mem and cmdline, read in an isolated child: needs ptrace-attach rights. Without it mount arguments are unknown.</summary>
    public const string Memory = "memory";
    /// <summary>/dev/kmsg: needs CAP_SYSLOG where kernel.dmesg_restrict is 1. Without it kernel log lines are not counted or linked.</summary>
    public const string Kmsg = "kmsg";

    /// <summary>The BPF probe (mount calls recorded at entry, blocked threads named by a task iterator): needs CAP_BPF, CAP_PERFMON, BTF, tracefs and libbpf1. Without it every thread's files are read.</summary>
    public const string Bpf = "bpf";

    public static IReadOnlyList<string> ThreadProbes { get; } = [Syscall, Stack, Sched];

    /// <summary>What a person loses when a probe is missing, for start-up messages and scan output.</summary>
    public static string Consequence(string probe) => probe switch
    {
        Syscall => "a mount call in those threads cannot be seen (needs CAP_SYS_PTRACE over them)",
        Stack => "kernel stacks are not shown (needs CAP_SYS_ADMIN and CAP_SYS_PTRACE)",
        Sched => "ages count only from when NfsWatch first saw the call",
        Memory => "mount arguments (source, target, options) are not known (needs CAP_SYS_PTRACE)",
        Kmsg => "kernel log lines (server not responding, hung tasks) are not seen (needs CAP_SYSLOG)",
        Bpf => "every thread's proc files are read each scan, and ages count from when a call was first seen",
        _ => "",
    };
}
