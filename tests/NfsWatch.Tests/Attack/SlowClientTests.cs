using System.Diagnostics;
using System.Net;
using NfsWatch.Tests.Support;
using Xunit.Abstractions;

namespace NfsWatch.Tests.Attack;

/// <summary>
/// Slow clients cannot stop scrapes: the real daemon (the build beside the tests, and the Native AOT binary when
/// NFSWATCH_AOT_BINARY names one) under each <see cref="SlowAttack"/>, on loopback only. Every scrape is answered
/// within 1 s, the attack really held its connections in the daemon (its descriptors rose), and afterwards the
/// daemon's descriptors and resident memory come back to where they were (2 descriptors and 4 MiB of slack for
/// the Native AOT binary; more for the JIT build, which keeps compiling as it runs).
/// The numbers go to the test output and to artifacts/attack/results.txt.
/// </summary>
[Collection("live")]
[Trait("Tier", "attack")]
public class SlowClientTests(ITestOutputHelper output)
{
    /// <summary>Longer than the daemon's idle timeout (20 s), so that the server closes the silent ones and they come back.</summary>
    private static readonly TimeSpan Silent = TimeSpan.FromSeconds(24);
    /// <summary>Longer than two header timeouts (5 s).</summary>
    private static readonly TimeSpan Trickle = TimeSpan.FromSeconds(12);

    public static TheoryData<string, SlowAttack> Cases()
    {
        var data = new TheoryData<string, SlowAttack>();
        var binaries = new List<string> { "dotnet" };
        if (Environment.GetEnvironmentVariable("NFSWATCH_AOT_BINARY") is { Length: > 0 } aot) binaries.Add(aot);
        foreach (string binary in binaries)
            foreach (var attack in Enum.GetValues<SlowAttack>()) data.Add(binary, attack);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryScrapeIsAnsweredWithinASecond(string binary, SlowAttack attack)
    {
        int port = TestHost.FreePort();
        using var daemon = Start(binary, port);
        try
        {
            await WaitForMetrics(daemon, port);
            var result = await SlowClients.RunAsync(attack, new IPEndPoint(IPAddress.Loopback, port), () => ProcessStats.Of(daemon.Id),
                attack == SlowAttack.TricklingHeaders ? Trickle : Silent);
            Report($"{(binary == "dotnet" ? "nfswatch.dll (JIT)" : "Native AOT")}: {result}");
            Assert.False(daemon.HasExited, "the daemon died under the attack");
            Assert.True(result.Scrapes >= (int)result.Duration.TotalSeconds, result.ToString());
            Assert.True(result.Failed == 0, result.ToString());
            // The attack reached the daemon: its connections were open there.
            Assert.True(result.During.Descriptors >= result.Before.Descriptors + result.Connections * 3 / 4, result.ToString());
            // The shipped binary must come back within 2 descriptors and 4 MiB. The JIT build keeps compiling
            // (tiered compilation) and opening runtime files while it runs: it gets 8 descriptors and 16 MiB.
            bool aot = binary != "dotnet";
            Assert.True(result.After.Descriptors <= result.Before.Descriptors + (aot ? 2 : 8), result.ToString());
            Assert.True(result.After.RssKiB <= result.Before.RssKiB + (aot ? 4096 : 16384), result.ToString());
        }
        finally
        {
            Posix.Kill(daemon.Id, Posix.SIGTERM);
            if (!daemon.WaitForExit(TimeSpan.FromSeconds(20))) daemon.Kill(entireProcessTree: true);
        }
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        string dir = Path.Combine(TestHost.RepoRoot, "artifacts", "attack");
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, "results.txt"), $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {line}\n");
    }

    private static Process Start(string binary, int port)
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (binary == "dotnet") info.ArgumentList.Add(NfsWatchProcess.Dll);
        foreach (string a in new[] { "run", "--interval", "1s", "--log", "console", "--listen", $"127.0.0.1:{port}" }) info.ArgumentList.Add(a);
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("NFSWATCH_", StringComparison.Ordinal)))
            info.Environment.Remove(key);
        info.Environment["NFSWATCH_STATE_DIR"] = NfsWatchProcess.StateDir;
        var p = Process.Start(info)!;
        // Its log is not read: drained, so that it never blocks on a full pipe.
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitForMetrics(Process daemon, int port)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until && !daemon.HasExited)
        {
            if ((await SlowClients.ScrapeAsync(new IPEndPoint(IPAddress.Loopback, port))).Ok) return;
            await Task.Delay(100);
        }
        Assert.Fail("the daemon did not serve /metrics within 30 s");
    }
}
