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
    [Theory]
    [InlineData("no-answer-direct", true, "nfs-server-unreachable-at-mount", null)]
    [InlineData("no-answer-helper", true, "nfs-server-unreachable-at-mount", null)]
    [InlineData("head-of-line-blocker", true, "nfs4-client-init-stalled", "blocker")]
    [InlineData("head-of-line-waiter", true, "nfs4-client-init-stalled", "waiter")]
    [InlineData("nfsv3-mount-mnt", true, "nfs3-mountd-not-answering", null)]
    [InlineData("nfsv3-mount-lockd", true, "nfs3-lockd-start-hang", null)]
    [InlineData("nfsv3-mount-lockd-killed", true, "nfs3-lockd-start-hang", null)]
    [InlineData("hard-mount-stat", false, "nfs-hard-mount-server-gone", null)]
    [InlineData("hard-mount-open", false, "nfs-hard-mount-server-gone", null)]
    [InlineData("hard-mount-access", false, "nfs-hard-mount-server-gone", null)]
    // The client's state manager kernel thread waits in an RPC to the stopped server too.
    [InlineData("hard-mount-manager", false, "nfs-hard-mount-server-gone", null)]
    [InlineData("nfsv3-mount-lockd-thread", false, null, null)]
    public void CapturedStackNamesItsSignature(string capture, bool isMountCall, string? wantId, string? wantRole)
    {
        string raw = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "stacks", "vm", $"6.1.0-56-amd64-{capture}.txt"));
        var frames = KernelStack.Parse(System.Text.Encoding.ASCII.GetBytes(raw));
        var thread = Snapshots.Call(1, 1, 600, hung: true) with { Stack = frames, Wchan = frames[0] };

        var have = SignatureCatalog.Defaults.Match(thread, isMountCall, KernelVersion.TryParse("6.1.0-56-amd64"));

        Assert.Equal(wantId, have?.Signature.Id);
        Assert.Equal(wantRole, have?.Pattern.Role);
    }
}
