using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Hosting;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Outputs;

public class CallHandoverTests
{
    [Fact]
    public void TheFileIsPrivateToRootAndRoundTrips()
    {
        using var dir = new TempTree();
        string state = Path.Combine(dir.Path, "state");
        var args = new SyscallArgs();
        args[0] = 0x55d0c9a132a0;
        var call = new TrackedCall(new ThreadKey(4711, 4713, 99), 165, args, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));

        CallHandover.Write(state, [call]);

        // Raw syscall arguments are user-space pointers of other processes: ptrace rights guard them in /proc.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CallHandover.PathIn(state)));
        Assert.Equal([CallHandover.PathIn(state)], Directory.GetFiles(state)); // no temp file left
        var (calls, _) = CallHandover.TryRead(state)!.Value;
        Assert.Equal(call, Assert.Single(calls));
    }

    [Fact]
    public void AStaleFileIsIgnored()
    {
        using var dir = new TempTree();
        CallHandover.Write(dir.Path, []);
        File.SetLastWriteTimeUtc(CallHandover.PathIn(dir.Path), DateTime.UtcNow - TimeSpan.FromMinutes(6));
        Assert.Null(CallHandover.TryRead(dir.Path));
    }

    [Theory]
    [InlineData("mount.nfs4", "mount.nfs4")]
    [InlineData("evil\nINFO forged line", "evil\\x0aINFO forged line")]
    [InlineData("\u001b[2Jclear", "\\x1b[2Jclear")]
    public void TextFromOtherProcessesLosesItsControlCharacters(string text, string want) =>
        Assert.Equal(want, NfsWatch.Core.Printable.Of(text));
}
