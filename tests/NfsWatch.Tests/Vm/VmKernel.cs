namespace NfsWatch.Tests.Vm;

/// <summary>
/// A Debian kernel that the VM tier boots (tests/vm/prepare caches one per suite, the newest the suite offers
/// unless pinned), and what the tests must expect of it where the kernels differ. Tests name a kernel by its suite,
/// so that they stay as they are when Debian publishes the next build of the same kernel line; the release that
/// booted is the scenario's fact kernel.release.
/// </summary>
/// <param name="Suite">the Debian suite, as tests/vm/run --kernel takes it</param>
/// <param name="ReleasePrefix">how the suite's kernel releases begin</param>
/// <param name="WchanNamesTheFunction">whether /proc/PID/wchan names the function a sleeping task waits in</param>
/// <param name="PingFrames">the frames between rpc_run_task and rpc_create_xprt while rpc_create waits for the first
/// RPC NULL ping, innermost first: what was inlined differs from kernel to kernel</param>
public sealed record VmKernel(string Suite, string ReleasePrefix, bool WchanNamesTheFunction, IReadOnlyList<string> PingFrames)
{
    /// <summary>
    /// Linux 5.10 (linux-image-5.10.0-N-amd64), the kernel line of Amazon Linux 2 ECS hosts. /proc/PID/wchan reads
    /// 0 for every sleeping task: x86's get_wchan walked frame pointers until Linux 5.16 (bc9bbb81730e "x86: Fix
    /// get_wchan() to support the ORC unwinder"), and Debian builds with ORC and without frame pointers. rpc_ping
    /// is inlined into rpc_create_xprt and calls rpc_call_sync itself (rpc_call_null_helper came later).
    /// </summary>
    public static readonly VmKernel Bullseye = new("bullseye", "5.10.0-", false, ["rpc_call_sync"]);

    /// <summary>Linux 6.1 (linux-image-6.1.0-N-amd64): rpc_ping is inlined into rpc_create_xprt.</summary>
    public static readonly VmKernel Bookworm = new("bookworm", "6.1.0-", true, ["rpc_call_null_helper"]);

    /// <summary>Linux 6.12 (linux-image-6.12.N+deb13-amd64): rpc_ping is a frame of its own.</summary>
    public static readonly VmKernel Trixie = new("trixie", "6.12.", true, ["rpc_call_null_helper", "rpc_ping"]);

    /// <summary>How nfswatch finds threads in the guest (--probe): procfs, or bpf for the "-bpf" variants.</summary>
    public string Probe { get; init; } = "procfs";

    /// <summary>The suite, with "-bpf" when the scenarios run through the BPF probe: each name boots its own VMs.</summary>
    public string Name => Probe == "procfs" ? Suite : $"{Suite}-{Probe}";

    /// <summary>Linux 6.1 again, every nfswatch in the guest with --probe bpf: the same scenarios through the BPF probe.</summary>
    public static readonly VmKernel BookwormBpf = Bookworm with { Probe = "bpf" };

    public static VmKernel Of(string suite) => suite switch
    {
        "bullseye" => Bullseye,
        "bookworm" => Bookworm,
        "bookworm-bpf" => BookwormBpf,
        "trixie" => Trixie,
        _ => throw new ArgumentException($"no VM tier kernel for suite '{suite}' (bullseye, bookworm, bookworm-bpf, trixie)", nameof(suite)),
    };

    /// <summary>What /proc/PID/task/TID/wchan reads for a thread asleep in <paramref name="function"/>.</summary>
    public string WchanFile(string function) => WchanNamesTheFunction ? function : "0";

    /// <summary>What nfswatch reports as the wchan of a thread asleep in <paramref name="function"/> ("0" is no name).</summary>
    public string? Wchan(string function) => WchanNamesTheFunction ? function : null;

    /// <summary>The WCHAN column of `nfswatch scan` for a thread asleep in <paramref name="function"/>.</summary>
    public string WchanColumn(string function) => Wchan(function) ?? "-";

    public override string ToString() => Name;
}
