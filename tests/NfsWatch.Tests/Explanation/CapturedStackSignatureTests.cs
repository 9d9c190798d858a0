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
}
