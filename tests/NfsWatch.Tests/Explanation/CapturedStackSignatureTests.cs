using NfsWatch.Core.Explanation;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// The default signatures against the raw stacks the VM tier captured on Debian 6.1.0-56-amd64
/// (testdata/stacks/vm, byte for byte what /proc/PID/task/TID/stack printed; how each was made is in the
/// README there). Parsed exactly as the scanner parses /proc.
/// </summary>
public class CapturedStackSignatureTests
{
    /// <summary>The signatures the captured stacks below name.</summary>
    public static IEnumerable<string> Named => typeof(CapturedStackSignatureTests).GetMethod(nameof(CapturedStackNamesItsSignature))!
        .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
        .Select(a => a.GetData(null!).Single()[2] as string).OfType<string>();

    [Theory]
    [InlineData("no-answer-direct", true, "nfs-server-unreachable-at-mount")]
    [InlineData("no-answer-helper", true, "nfs-server-unreachable-at-mount")]
    [InlineData("head-of-line-blocker", true, "nfs4-clientid-not-answered")]
    [InlineData("head-of-line-waiter", true, "nfs-client-init-queued")]
    [InlineData("nfsv3-mount-mnt", true, "nfs3-mountd-not-answering")]
    [InlineData("nfsv3-mount-lockd", true, "nfs3-lockd-start-hang")]
    [InlineData("nfsv3-mount-lockd-killed", true, "nfs3-lockd-start-hang")]
    [InlineData("hard-mount-stat", false, "nfs-io-waits-for-server")]
    [InlineData("hard-mount-open", false, "nfs-io-waits-for-server")]
    [InlineData("hard-mount-access", false, "nfs-io-waits-for-server")]
    // The client's state manager kernel thread waits in an RPC to the stopped server too.
    [InlineData("hard-mount-manager", false, "nfs-io-waits-for-server")]
    [InlineData("nfsv3-mount-lockd-thread", false, null)]
    public void CapturedStackNamesItsSignature(string capture, bool isMountCall, string? wantId)
    {
        string raw = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "stacks", "vm", $"6.1.0-56-amd64-{capture}.txt"));
        var frames = KernelStack.Parse(System.Text.Encoding.ASCII.GetBytes(raw));
        var thread = Snapshots.Thread(1, 1, 600, hung: true, syscall: isMountCall ? "mount" : null, stack: frames, wchan: frames[0],
            kind: isMountCall ? Core.Detection.ThreadKind.MountCall : Core.Detection.ThreadKind.Blocked);

        var have = SignatureCatalog.Defaults.Match(thread, null, KernelVersion.TryParse("6.1.0-56-amd64"));

        Assert.Equal(wantId, have?.Signature.Id);
    }

    // The same captures from the three kernels of the VM tier (5.10, 6.1, 6.12; where each came from and how their
    // stacks differ is in testdata/stacks/vm/README.md), plus the exiting process of the hard-mount scenario.
    private static readonly string[] VmKernelReleases = ["5.10.0-32-amd64", "6.1.0-57-amd64", "6.12.117+deb13-amd64"];

    public static TheoryData<string, string, bool, string?> EveryVmKernel()
    {
        (string Capture, bool IsMountCall, string? Id)[] captures =
        [
            ("no-answer-direct", true, "nfs-server-unreachable-at-mount"),
            ("no-answer-helper", true, "nfs-server-unreachable-at-mount"),
            ("head-of-line-blocker", true, "nfs4-clientid-not-answered"),
            ("head-of-line-waiter", true, "nfs-client-init-queued"),
            ("nfsv3-mount-mnt", true, "nfs3-mountd-not-answering"),
            ("nfsv3-mount-lockd", true, "nfs3-lockd-start-hang"),
            ("nfsv3-mount-lockd-killed", true, "nfs3-lockd-start-hang"),
            ("hard-mount-stat", false, "nfs-io-waits-for-server"),
            ("hard-mount-open", false, "nfs-io-waits-for-server"),
            ("hard-mount-access", false, "nfs-io-waits-for-server"),
            ("hard-mount-exit", false, "nfs-io-waits-for-server"),
            ("hard-mount-manager", false, "nfs-io-waits-for-server"),
            ("nfsv3-mount-lockd-thread", false, null),
        ];
        var data = new TheoryData<string, string, bool, string?>();
        foreach (string release in VmKernelReleases)
            foreach (var c in captures)
                data.Add(release, c.Capture, c.IsMountCall, c.Id);
        return data;
    }

    /// <summary>
    /// Each VM kernel's own captures, from the stack alone: on 5.10 wchan reads 0 (testdata/stacks/vm/README.md). 5.10
    /// inlines rpc_ping into rpc_create_xprt, which calls rpc_call_sync directly; 6.1 shows rpc_call_null_helper,
    /// 6.12 rpc_ping as well: each names the same signature.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryVmKernel))]
    public void CapturedStackOfEachVmKernelNamesItsSignature(string release, string capture, bool isMountCall, string? wantId)
    {
        string raw = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "stacks", "vm", $"{release}-{capture}.txt"));
        var frames = KernelStack.Parse(System.Text.Encoding.ASCII.GetBytes(raw), out var modules);
        var thread = Snapshots.Thread(1, 1, 600, hung: true, syscall: isMountCall ? "mount" : null, stack: frames, wchan: null,
            kind: isMountCall ? Core.Detection.ThreadKind.MountCall : Core.Detection.ThreadKind.Blocked) with { StackModules = modules };

        var have = SignatureCatalog.Defaults.Match(thread, null, KernelVersion.TryParse(release));

        Assert.Equal(wantId, have?.Signature.Id);
    }
}
