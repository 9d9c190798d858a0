using NfsWatch.Core;
using NfsWatch.Configuration;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Configuration;

public class OptionsTests
{
    private static NfsWatchOptions Load(string verb, string[] args, Dictionary<string, string>? env = null, string? defaultConfig = null) =>
        OptionsLoader.Load(verb, args, k => env?.GetValueOrDefault(k), defaultConfig ?? "/nonexistent/nfswatch.json");

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("5s", 5)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    public void DurationsTakeAUnit(string text, double wantSeconds)
    {
        Assert.True(Duration.TryParse(text, out var have));
        Assert.Equal(wantSeconds, have.TotalSeconds);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("0s")]
    [InlineData("5x")]
    [InlineData("5 s s")]
    [InlineData("")]
    public void BadDurationsAreRefused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void DefaultsAreTheContracts()
    {
        var have = Load("run", []);
        Assert.Equal(("/proc", 30.0, 5.0, "0.0.0.0:9856"), (have.Procfs, have.Threshold.TotalSeconds, have.Interval.TotalSeconds, have.Listen?.ToString()));
    }

    [Fact]
    public void CommandLineBeatsEnvironmentBeatsFile()
    {
        using var dir = new TempTree();
        string config = Path.Combine(dir.Path, "nfswatch.json");
        File.WriteAllText(config, """
            // comments are allowed: the packaged default config is commented
            { "threshold": "10s", "interval": "7s", "listen": "127.0.0.1:9999", }
            """);

        var have = Load("run", ["--threshold", "1m", "--config", config], new() { ["NFSWATCH_THRESHOLD"] = "20s", ["NFSWATCH_INTERVAL"] = "3s" });

        Assert.Equal(60, have.Threshold.TotalSeconds);
        Assert.Equal(3, have.Interval.TotalSeconds);
        Assert.Equal("127.0.0.1:9999", have.Listen?.ToString());
        Assert.Equal(config, have.ConfigFile);
    }

    [Fact]
    public void TheDefaultConfigFileIsReadWhenItExists()
    {
        using var dir = new TempTree();
        string config = Path.Combine(dir.Path, "nfswatch.json");
        File.WriteAllText(config, """{ "threshold": "45s" }""");
        Assert.Equal(45, Load("scan", [], defaultConfig: config).Threshold.TotalSeconds);
    }

    [Theory]
    [InlineData(new[] { "--threshold", "3x" }, "--threshold: '3x' is not a duration")]
    [InlineData(new[] { "--threshold=0s" }, "--threshold: '0s' is not a duration")]
    [InlineData(new[] { "--interval", "5s" }, "option '--interval' is for 'nfswatch run' only")]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--threshold" }, "option '--threshold' needs a value")]
    [InlineData(new[] { "--procfs", "/nonexistent-dir" }, "--procfs: '/nonexistent-dir' is not a directory")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--config", "/nonexistent/x.json" }, "--config: cannot read '/nonexistent/x.json'")]
    public void BadUsageNamesTheOption(string[] args, string want)
    {
        var e = Assert.Throws<UsageException>(() => Load("scan", args));
        Assert.Contains(want, e.Message);
    }

    [Theory]
    [InlineData("""{ "treshold": "30s" }""", "unknown option \"treshold\"")]
    [InlineData("""{ "threshold": 30 }""", "threshold: must be a string with a unit, such as \"30s\"")]
    [InlineData("""{ "listen": "nowhere" }""", "listen: 'nowhere' is not HOST:PORT")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{ "threshold": """, "not valid JSON")]
    public void BadConfigFilesNameTheOption(string content, string want)
    {
        using var dir = new TempTree();
        string config = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(config, content);
        var e = Assert.Throws<UsageException>(() => Load("run", ["--config", config]));
        Assert.Contains(want, e.Message);
        Assert.StartsWith(config, e.Message.Replace("--config: cannot read '", ""));
    }

    [Theory]
    [InlineData(new[] { "--threshold", "500ms" }, "--threshold: '500ms' is out of range (1s to 24h)")]
    [InlineData(new[] { "--threshold", "25h" }, "--threshold: '25h' is out of range (1s to 24h)")]
    [InlineData(new[] { "--interval", "1200h" }, "--interval: '1200h' is out of range (100ms to 1h)")]
    // A value that rounds to nothing: PeriodicTimer threw outside any try, and the daemon exited 0.
    [InlineData(new[] { "--interval", "0.0001ms" }, "--interval: '0.0001ms' is out of range (100ms to 1h)")]
    [InlineData(new[] { "--interval", "99ms" }, "--interval: '99ms' is out of range (100ms to 1h)")]
    public void DurationsOutOfRangeAreRefusedWithTheRange(string[] args, string want)
    {
        var e = Assert.Throws<UsageException>(() => Load("run", args));
        Assert.Equal(want, e.Message);
    }

    [Theory]
    [InlineData("1s"), InlineData("24h")]
    public void TheThresholdsBoundsAreAllowed(string value) => Assert.Equal(Duration.TryParse(value, out var d) ? d : default, Load("scan", ["--threshold", value]).Threshold);

    // Files that are not what they say: a FIFO would block open(2) for ever, /dev/zero never ends.
    [Fact]
    public void AConfigFileThatIsAFifoOrADeviceIsRefusedAtOnce()
    {
        using var dir = new TempTree();
        string fifo = Path.Combine(dir.Path, "fifo.json");
        Assert.Equal(0, Posix.MkFifo(fifo, 0b110_000_000));

        Assert.Equal($"--config: cannot read '{fifo}': is a FIFO, not a regular file", Assert.Throws<UsageException>(() => Load("run", ["--config", fifo])).Message);
        Assert.Equal("--config: cannot read '/dev/zero': is a character device, not a regular file",
            Assert.Throws<UsageException>(() => Load("run", ["--config", "/dev/zero"])).Message);
    }

    [Fact]
    public void AHugeConfigFileIsRefusedWithoutReadingIt()
    {
        using var dir = new TempTree();
        string big = Path.Combine(dir.Path, "big.json");
        using (var f = File.Create(big)) f.SetLength(100 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<UsageException>(() => Load("run", ["--config", big]));

        Assert.Equal($"--config: cannot read '{big}': is 104857600 bytes, larger than the 1 MiB NfsWatch reads", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the file was read");
    }

    [Fact]
    public void AConfigFileWithAByteOrderMarkIsRead()
    {
        using var dir = new TempTree();
        string config = Path.Combine(dir.Path, "bom.json");
        File.WriteAllBytes(config, [0xEF, 0xBB, 0xBF, .. "{\"threshold\": \"10s\"}"u8]);

        Assert.Equal(TimeSpan.FromSeconds(10), Load("run", ["--config", config]).Threshold);
    }

    // Found by HostileInputTests: JsonDocument checks a string's UTF-8 only when it is read, and threw
    // InvalidOperationException out of Load instead of a message naming the file.
    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'t', 0xff, (byte)'"', (byte)':', (byte)'"', (byte)'5', (byte)'s', (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'l', (byte)'o', (byte)'g', (byte)'"', (byte)':', (byte)'"', 0xc3, (byte)'"', (byte)'}' })]
    public void ConfigFilesWithInvalidUtf8InAStringNameTheFile(byte[] content)
    {
        using var dir = new TempTree();
        string config = Path.Combine(dir.Path, "bad.json");
        File.WriteAllBytes(config, content);
        var e = Assert.Throws<UsageException>(() => Load("run", ["--config", config]));
        Assert.Equal($"{config}: not valid JSON: a string is not valid UTF-8", e.Message);
    }

    [Theory]
    [InlineData("relative.prom", "--textfile: 'relative.prom' is not an absolute path")]
    [InlineData("/tmp/nfswatch.txt", "--textfile: '/tmp/nfswatch.txt' must end in .prom")]
    [InlineData("/nonexistent-dir/nfswatch.prom", "--textfile: directory '/nonexistent-dir' does not exist")]
    public void BadTextfilesAreRefusedWithTheReason(string value, string want)
    {
        var e = Assert.Throws<UsageException>(() => Load("run", ["--textfile", value]));
        Assert.StartsWith(want, e.Message);
    }

    [Fact]
    public void ListenOffAndATextfile()
    {
        var have = Load("run", ["--listen", "off", "--textfile", "/tmp/nfswatch.prom"]);
        Assert.Null(have.Listen);
        Assert.Equal("/tmp/nfswatch.prom", have.Textfile);
        Assert.Null(Load("run", ["--textfile", "none"]).Textfile);
    }

    [Fact]
    public void BadEnvironmentValueNamesTheVariable()
    {
        var e = Assert.Throws<UsageException>(() => Load("run", [], new() { ["NFSWATCH_INTERVAL"] = "soon" }));
        Assert.Contains("NFSWATCH_INTERVAL: 'soon' is not a duration", e.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:9856", "127.0.0.1", 9856)]
    [InlineData(":9100", "0.0.0.0", 9100)]
    [InlineData("[::1]:9856", "::1", 9856)]
    [InlineData("localhost:80", "localhost", 80)]
    public void ListenAddresses(string text, string wantHost, int wantPort)
    {
        Assert.True(ListenAddress.TryParse(text, out var have));
        Assert.Equal((wantHost, wantPort), (have.Host, have.Port));
    }

    [Theory]
    [InlineData("9856")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("::1:9856")]
    [InlineData("bad host:1")]
    public void BadListenAddresses(string text) => Assert.False(ListenAddress.TryParse(text, out _));

    [Theory]
    [InlineData(new[] { "scan", "--threshold", "3x" }, "--threshold")]
    [InlineData(new[] { "run", "--listen", "nowhere" }, "--listen")]
    [InlineData(new[] { "frobnicate" }, "unknown verb 'frobnicate'")]
    [InlineData(new string[0], "Usage:")]
    public void TheBinaryExitsWithTwoOnBadUsage(string[] args, string want)
    {
        var have = NfsWatchProcess.Run(args);
        Assert.Equal(2, have.ExitCode);
        Assert.Contains(want, have.Stderr + have.Stdout);
    }

    [Fact]
    public void TheBinaryReadsTheEnvironment()
    {
        var have = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("dockerd-thread")], env: new Dictionary<string, string> { ["NFSWATCH_THRESHOLD"] = "1h" });
        Assert.Equal(0, have.ExitCode); // 120 s in the call is not hung with a 1 h threshold
        Assert.Contains("not yet past the threshold", have.Stdout);
    }
}
