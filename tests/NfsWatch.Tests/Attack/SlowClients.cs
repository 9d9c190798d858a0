using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Attack;

/// <summary>The three ways a client can try to keep scrapers from /metrics by being slow, all from loopback addresses.</summary>
public enum SlowAttack
{
    /// <summary>100 addresses (127.0.0.2 to 127.0.0.101), 4 connections each, that connect and send nothing.</summary>
    SilentFromHundredAddresses,
    /// <summary>4 connections from the scraper's own address (127.0.0.1) that send nothing.</summary>
    SilentFromTheScrapersAddress,
    /// <summary>40 addresses, 4 connections each, sending a request head one byte a second that never ends.</summary>
    TricklingHeaders,
}

/// <summary>Descriptors and resident memory of the daemon's process.</summary>
public readonly record struct ProcessStats(int Descriptors, long RssKiB)
{
    public static ProcessStats Of(int pid) => Parse(Directory.GetFiles($"/proc/{pid}/fd").Length, File.ReadAllText($"/proc/{pid}/status"));

    /// <summary>From a descriptor count and /proc/PID/status (its VmRSS line).</summary>
    public static ProcessStats Parse(int descriptors, string status)
    {
        string line = status.Split('\n').Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return new(descriptors, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Descriptors} fds, {RssKiB / 1024.0:0.0} MiB";
}

/// <summary>What one attack did and what the scraper saw meanwhile.</summary>
public sealed record AttackResult(SlowAttack Attack, int Connections, int Scrapes, int Failed, TimeSpan Slowest, ProcessStats Before,
    ProcessStats During, ProcessStats After, TimeSpan Duration)
{
    public override string ToString() =>
        $"{Attack}: {Connections} attacking connections for {Duration.TotalSeconds:0} s; {Scrapes} scrapes, {Failed} failed or slower than 1 s, " +
        $"slowest {Slowest.TotalMilliseconds:0} ms; before {Before}; during (peak) {During}; after {After}";
}

/// <summary>
/// Runs one <see cref="SlowAttack"/> against an HTTP endpoint on loopback for a bounded time, keeping its
/// connections up (a connection the server closes is opened again), while curl scrapes on a new connection every
/// 250 ms and times the whole GET /metrics. Then the attackers go and the daemon's descriptors and memory are
/// watched until they are back near where they started. The baseline is taken after a 3 s round of the same
/// attack: the daemon has then made what it keeps for good (its buffer pools, JIT-compiled code), and what is
/// measured is whether an attack leaves anything behind.
/// </summary>
public static class SlowClients
{
    public static async Task<AttackResult> RunAsync(SlowAttack attack, IPEndPoint target, Func<ProcessStats> stats, TimeSpan duration)
    {
        await ScrapeAsync(target);
        await AttackAsync(attack, target, TimeSpan.FromSeconds(3));
        await Task.Delay(2000);
        await ScrapeAsync(target);
        var before = stats();
        var (attackers, scrapes, failed, slowest, during, took) = await AttackAsync(attack, target, duration, stats, before);
        // The attackers are gone: the daemon closes their connections as it sees them end.
        var after = stats();
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(30) && (after.Descriptors > before.Descriptors + 2 || after.RssKiB > before.RssKiB + 4096))
        {
            await Task.Delay(1000);
            await ScrapeAsync(target);
            after = stats();
        }
        return new AttackResult(attack, attackers, scrapes, failed, slowest, before, during, after, took);
    }

    private static async Task<(int Attackers, int Scrapes, int Failed, TimeSpan Slowest, ProcessStats During, TimeSpan Took)> AttackAsync(
        SlowAttack attack, IPEndPoint target, TimeSpan duration, Func<ProcessStats>? stats = null, ProcessStats before = default)
    {
        using var stop = new CancellationTokenSource();
        var (addresses, perAddress) = attack switch
        {
            SlowAttack.SilentFromHundredAddresses => (Enumerable.Range(2, 100), 4),
            SlowAttack.SilentFromTheScrapersAddress => (Enumerable.Range(1, 1), 4),
            _ => (Enumerable.Range(2, 40), 4),
        };
        var attackers = addresses.SelectMany(a => Enumerable.Range(0, perAddress).Select(_ =>
            Task.Run(() => HoldAsync(attack, target, IPAddress.Parse($"127.0.0.{a}"), stop.Token)))).ToList();
        var during = before;
        int scrapes = 0, failed = 0;
        var slowest = TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        long nextSample = 0;
        while (watch.Elapsed < duration)
        {
            var (ok, took) = await CurlAsync(target);
            scrapes++;
            if (!ok || took > TimeSpan.FromSeconds(1)) failed++;
            if (took > slowest) slowest = took;
            if (stats is not null && watch.ElapsedMilliseconds >= nextSample)
            {
                var now = stats();
                during = new ProcessStats(Math.Max(during.Descriptors, now.Descriptors), Math.Max(during.RssKiB, now.RssKiB));
                nextSample = watch.ElapsedMilliseconds + 1000;
            }
            await Task.Delay(250);
        }
        var elapsed = watch.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(attackers);
        return (attackers.Count, scrapes, failed, slowest, during, elapsed);
    }

    /// <summary>One attacking connection, kept up until <paramref name="stop"/>.</summary>
    private static async Task HoldAsync(SlowAttack attack, IPEndPoint target, IPAddress from, CancellationToken stop)
    {
        byte[] one = new byte[1];
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(target, stop);
                if (attack == SlowAttack.TricklingHeaders)
                {
                    await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray(), SocketFlags.None, stop);
                    // One byte a second of a header that never ends, until the server gives up on it.
                    var closed = socket.ReceiveAsync(new byte[512], SocketFlags.None, stop).AsTask();
                    while (!closed.IsCompleted)
                    {
                        await Task.WhenAny(closed, Task.Delay(1000, stop));
                        if (!closed.IsCompleted) await socket.SendAsync("a"u8.ToArray(), SocketFlags.None, stop);
                    }
                    await closed;
                }
                else
                {
                    // Silent: wait for the server to close it.
                    await socket.ReceiveAsync(one, SocketFlags.None, stop);
                }
            }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { await Task.Delay(50, CancellationToken.None); }
        }
    }

    /// <summary>
    /// A scrape by curl, a process of its own, so that the time is the server's and not this process's (whose
    /// thread pool is busy with the attackers): a new connection from 127.0.0.1, curl's time_total.
    /// </summary>
    public static async Task<(bool Ok, TimeSpan Took)> CurlAsync(IPEndPoint target)
    {
        var run = await Task.Run(() => TestHost.RunWithin(TimeSpan.FromSeconds(30), "curl", "-s", "-o", "/dev/null", "--max-time", "5",
            "-w", "%{http_code} %{size_download} %{time_total}", $"http://{target}/metrics"));
        string[] answer = run.Stdout.Split(' ');
        var took = TimeSpan.FromSeconds(double.Parse(answer[2], CultureInfo.InvariantCulture));
        return (answer[0] == "200" && long.Parse(answer[1], CultureInfo.InvariantCulture) > 1000, took);
    }

    /// <summary>A whole GET /metrics on a new connection from 127.0.0.1: whether it came back 200 with metrics, and how long it took.</summary>
    public static async Task<(bool Ok, TimeSpan Took)> ScrapeAsync(IPEndPoint target)
    {
        var watch = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            await socket.ConnectAsync(target, timeout.Token);
            await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var answer = new MemoryStream();
            byte[] buffer = new byte[65536];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Write(buffer, 0, n);
            string text = Encoding.UTF8.GetString(answer.ToArray());
            return (text.StartsWith("HTTP/1.1 200 OK", StringComparison.Ordinal) && text.Contains("nfswatch_scanned_threads "), watch.Elapsed);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return (false, watch.Elapsed);
        }
    }
}
