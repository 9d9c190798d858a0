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
        var (calls, _) = CallHandover.TryRead(state, out string? ignored)!.Value;
        Assert.Equal(call, Assert.Single(calls));
        Assert.Null(ignored);
    }

    [Fact]
    public void AStaleFileIsIgnored()
    {
        using var dir = new TempTree();
        CallHandover.Write(dir.Path, []);
        File.SetLastWriteTimeUtc(CallHandover.PathIn(dir.Path), DateTime.UtcNow - TimeSpan.FromMinutes(6));
        Assert.Null(CallHandover.TryRead(dir.Path, out _));
    }

    // The state directory belongs to the daemon's user; `scan` (root) reads what that user could plant there.

    [Fact]
    public void AFifoInItsPlaceIsIgnoredWithoutBlocking()
    {
        using var dir = new TempTree();
        Assert.Equal(0, Posix.MkFifo(CallHandover.PathIn(dir.Path), 0b110_000_000));

        Assert.Null(CallHandover.TryRead(dir.Path, out string? ignored));
        Assert.Equal("is a FIFO, not a regular file", ignored);
    }

    [Fact]
    public void ALinkInItsPlaceIsNotFollowed()
    {
        using var dir = new TempTree();
        File.CreateSymbolicLink(CallHandover.PathIn(dir.Path), "/dev/zero");

        Assert.Null(CallHandover.TryRead(dir.Path, out string? ignored));
        Assert.Equal("is a symbolic link; only a regular file is read", ignored);
    }

    [Fact]
    public void AHugeFileIsNotRead()
    {
        using var dir = new TempTree();
        using (var f = File.Create(CallHandover.PathIn(dir.Path))) f.SetLength(CallHandover.MaxBytes + 1);

        Assert.Null(CallHandover.TryRead(dir.Path, out string? ignored));
        Assert.Contains("larger than the 8 MiB", ignored);
    }

    [Fact]
    public void AFileOfAnotherUserIsIgnored()
    {
        Assert.True(Posix.IsRoot, "chown needs root");
        using var dir = new TempTree();
        CallHandover.Write(dir.Path, []);
        Assert.Equal(0, Posix.Chown(CallHandover.PathIn(dir.Path), 12345, 12345));

        Assert.Null(CallHandover.TryRead(dir.Path, out string? ignored));
        Assert.Contains("uid 12345", ignored);
    }

    [Theory]
    [InlineData("4711 4713 99 165 1 0 0 0 0 0 99999999999999999")]   // a time past DateTimeOffset's range
    [InlineData("4711 4713 99 165 1 0 0 0 0 0 -5")]
    [InlineData("0 4713 99 165 1 0 0 0 0 0 1795000000000")]           // pid 0
    [InlineData("4711 99999999 99 165 1 0 0 0 0 0 1795000000000")]    // past PID_MAX_LIMIT
    [InlineData("4711 4713 99 165 1 0 0 0 0 zz 1795000000000")]
    public void OutOfRangeLinesAreSkippedAndCounted(string line)
    {
        using var dir = new TempTree();
        var good = new TrackedCall(new ThreadKey(1, 1, 1), 165, default, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        File.WriteAllText(CallHandover.PathIn(dir.Path), line + "\n" + TrackedCall.Format([good]));

        var (calls, _) = CallHandover.TryRead(dir.Path, out string? ignored)!.Value;

        Assert.Equal(good.Key, Assert.Single(calls).Key);
        Assert.Equal("1 malformed or out-of-range line(s) were skipped", ignored);
    }

    [Fact]
    public void AWriteThatFailsLeavesNoTempFileBehind()
    {
        Assert.True(Posix.IsRoot, "the test mounts a tmpfs of its own");
        using var dir = new TempTree();
        string full = Path.Combine(dir.Path, "full");
        Directory.CreateDirectory(full);
        Assert.Equal(0, Posix.Mount("tmpfs", full, "tmpfs", 0, "size=16k"));
        try
        {
            var calls = Enumerable.Range(1, 2000).Select(i => new TrackedCall(new ThreadKey(i, i, 1), 165, default, DateTimeOffset.UtcNow)).ToList();
            for (int i = 0; i < 5; i++)
                Assert.ThrowsAny<IOException>(() => CallHandover.Write(full, calls));

            Assert.Empty(Directory.GetFiles(full));
        }
        finally { Posix.Umount2(full, Posix.MNT_DETACH); }
    }

    [Theory]
    [InlineData("mount.nfs4", "mount.nfs4")]
    [InlineData("evil\nINFO forged line", "evil\\x0aINFO forged line")]
    [InlineData("\u001b[2Jclear", "\\x1b[2Jclear")]
    public void TextFromOtherProcessesLosesItsControlCharacters(string text, string want) =>
        Assert.Equal(want, NfsWatch.Core.Printable.Of(text));
}
