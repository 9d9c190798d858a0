using System.Text;
using NfsWatch.Core.KernelLog;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// The kernel log follower over a regular file: the reader takes any path, and a regular file is read in chunks and
/// split on newlines, as /dev/kmsg's one-record reads are.
/// </summary>
public sealed class KmsgReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nfswatch-kmsg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log(string text)
    {
        string path = Path.Combine(_dir, "kmsg");
        File.WriteAllText(path, text);
        return path;
    }

    private static void Append(string path, string text) => File.AppendAllText(path, text);

    // Records as /dev/kmsg returns them: the message, then the record's " KEY=VALUE" dictionary lines.
    private const string Records =
        "6,1,0,-;Linux version 6.1.0-56-amd64\n" +
        "4,1234,5678901,-;nfs: server 127.0.0.1 not responding, still trying\n" +
        " SUBSYSTEM=nfs\n" +
        "6,1235,5679000,-;nfs: server 127.0.0.1 OK\n" +
        "3,1236,130000000,-;INFO: task mount.nfs4:4711 blocked for more than 120 seconds.\n" +
        "3,1237,130000001,-;      Not tainted 6.1.0-56-amd64 #1 Debian 6.1.140-1\n";

    [Fact]
    public void FromTheStartReadsEveryEvent()
    {
        using var reader = new KmsgReader(Log(Records), fromNow: false);

        var have = reader.ReadNew();

        Assert.True(reader.Available);
        Assert.Null(reader.Problem);
        Assert.Equal(
            new (string, string?, int)[] { (KernelLogEvent.ServerNotResponding, "127.0.0.1", 0), (KernelLogEvent.ServerOk, "127.0.0.1", 0), (KernelLogEvent.HungTask, null, 4711) },
            have.Select(e => (e.Event, e.Server, e.Pid)));
        Assert.Equal([5.678901, 5.679, 130.0], have.Select(e => e.Seconds));
        Assert.Empty(reader.ReadNew());
        Assert.Equal(0, reader.Overruns);
    }

    [Fact]
    public void FromNowReadsOnlyWhatIsAppended()
    {
        string path = Log(Records);
        using var reader = new KmsgReader(path, fromNow: true);

        Assert.Empty(reader.ReadNew());

        Append(path, "4,1300,200000000,-;nfs: server 10.0.1.9 not responding, timed out\n");
        var have = Assert.Single(reader.ReadNew());
        Assert.Equal((KernelLogEvent.ServerNotResponding, "10.0.1.9", 200.0), (have.Event, have.Server, have.Seconds));

        Assert.Empty(reader.ReadNew());
        Append(path, "6,1301,201000000,-;nfs: server 10.0.1.9 OK\n3,1302,202000000,-;INFO: task dockerd:3007 blocked for more than 120 seconds.\n");
        Assert.Equal([KernelLogEvent.ServerOk, KernelLogEvent.HungTask], reader.ReadNew().Select(e => e.Event));
    }

    [Fact]
    public void ContinuationLinesAreSkipped()
    {
        // A dictionary line that would parse as an event if it were a record.
        using var reader = new KmsgReader(Log(" KEY=4,1,1,-;nfs: server 10.6.6.6 OK\n SUBSYSTEM=x\n6,2,1000000,-;nfs: server 10.0.1.9 OK\n"), fromNow: false);

        var have = Assert.Single(reader.ReadNew());

        Assert.Equal("10.0.1.9", have.Server);
    }

    [Fact]
    public void ALineIsReadOnlyOnceItEnds()
    {
        string path = Log("");
        using var reader = new KmsgReader(path, fromNow: false);

        Append(path, "6,1,1000000,-;nfs: server 10.0.1.9");
        Assert.Empty(reader.ReadNew());

        Append(path, " OK\n6,2,2000000,-;nfs: ser");
        Assert.Equal("10.0.1.9", Assert.Single(reader.ReadNew()).Server);

        Append(path, "ver 10.0.1.10 OK\n");
        Assert.Equal("10.0.1.10", Assert.Single(reader.ReadNew()).Server);
    }

    [Fact]
    public void LongLogsAreReadAcrossChunks()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 2000; i++)
            text.Append($"4,{i},{i * 1000},-;nfs: server 10.0.{i / 256}.{i % 256} not responding, still trying\n SUBSYSTEM=nfs\n");
        using var reader = new KmsgReader(Log(text.ToString()), fromNow: false);

        var have = reader.ReadNew();

        Assert.Equal(2000, have.Count);
        Assert.Equal("10.0.7.207", have[^1].Server);
        Assert.All(have, e => Assert.Equal(KernelLogEvent.ServerNotResponding, e.Event));
    }

    [Fact]
    public void EmptyLinesAndCarriageReturnsDoNotThrow()
    {
        using var reader = new KmsgReader(Log("\n\n\r\n;\n6,1,1000000,-;nfs: server 10.0.1.9 OK\r\n"), fromNow: false);

        var have = Assert.Single(reader.ReadNew());

        Assert.Equal("10.0.1.9", have.Server);
    }

    [Fact]
    public void MissingPathIsUnavailableAndSaysWhy()
    {
        string path = Path.Combine(_dir, "no-such-kmsg");
        using var reader = new KmsgReader(path);

        Assert.False(reader.Available);
        Assert.NotNull(reader.Problem);
        Assert.Contains(path, reader.Problem, StringComparison.Ordinal);
        Assert.Equal(path, reader.Path);
        Assert.Empty(reader.ReadNew());
    }

    // IDisposable.Dispose must be callable more than once; closing the descriptor number again may close a file that
    // someone else has opened since (with that number).
    [Fact]
    public void DisposeTwiceDoesNotCloseSomeoneElsesFile()
    {
        string path = Log(Records);
        var reader = new KmsgReader(path, fromNow: false);
        reader.Dispose();
        // Most likely handed the descriptor number the reader just released.
        using var other = new FileStream(path, FileMode.Open, FileAccess.Read);

        reader.Dispose();

        Assert.Equal((byte)'6', other.ReadByte());
    }

    [Fact]
    public void DisposeTwiceOfAnUnavailableReaderIsHarmless()
    {
        var reader = new KmsgReader(Path.Combine(_dir, "missing"));
        reader.Dispose();
        reader.Dispose();
    }
}
