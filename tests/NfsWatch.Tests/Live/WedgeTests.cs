using NfsWatch.Core.Procfs;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Isolation;
using NfsWatch.Tests.Support;
using Xunit.Abstractions;

namespace NfsWatch.Tests.Live;

/// <summary>
/// The daemon never blocks on a process: a process whose address space is genuinely wedged (its cmdline, environ and mem block,
/// as does ps) and which has a thread hung in mount(2). The daemon must keep scanning and answering, report the
/// hung thread, and remember the read that timed out instead of retrying it every scan. Each wedge lasts seconds
/// and is dissolved by Dispose in every path (and by the FUSE server's own lifetime should the test crash).
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class WedgeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private const string Hung = "nfswatch_hung_mount_threads", Timeouts = "nfswatch_isolated_read_timeouts_total",
        Wedged = "nfswatch_wedged_processes", LastScan = "nfswatch_last_scan_timestamp_seconds",
        Scans = "nfswatch_scan_duration_seconds_count", ScanSeconds = "nfswatch_scan_duration_seconds_sum",
        Stalls = "nfswatch_scan_stalls_total";
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    [Fact]
    public async Task DaemonKeepsScanningAndReportsTheHungMountOfAWedgedProcess()
    {
        // The procfs path: the call's arguments are read from the wedged memory, in the isolated child (the BPF
        // probe copies them at entry and reads nothing: BpfProbeTests).
        using var daemon = new Daemon("1s", "250ms", "--probe", "procfs");
        string before = await daemon.WaitForMetricsAsync(m => m.Contains(LastScan + " "), Soon, "the first scan");
        Assert.Equal(0, Daemon.Sum(before, Wedged));
        double timeouts0 = Daemon.Sum(before, Timeouts);

        string reported, end;
        var scrapeTimes = new List<TimeSpan>();
        var lastScans = new List<double>();
        NfsWatchProcess.Result oneShot;
        TimeSpan oneShotTook, wedgeLasted;
        (int ExitCode, TimeSpan Elapsed) direct;
        int pid, tid;
        using (var wedge = new WedgedProcess(lifetimeSeconds: 20))
        {
            var wedged = Stopwatch.StartNew();
            (pid, tid) = (wedge.Pid, wedge.MountTid);
            // Not vacuous: a plain read of its cmdline, as ps makes it, is still blocked after 1 s.
            var directRead = Task.Run(() => wedge.ReadCmdlineInChild(TimeSpan.FromSeconds(1)));

            // The hung thread is reported; reading its call's arguments from /proc/PID/mem timed out in the
            // isolated child, and the process is remembered as wedged.
            reported = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, Hung, "syscall=\"mount\"") >= 1
                && Daemon.Sum(m, Timeouts) > timeouts0 && Daemon.Sum(m, Wedged) == 1, TimeSpan.FromSeconds(8),
                "the hung mount, a timed-out isolated read and nfswatch_wedged_processes 1");

            // A one-shot scan, alongside: it has an isolated reader of its own and must finish in bounded time.
            var scan = Task.Run(() =>
            {
                var clock = Stopwatch.StartNew();
                var result = NfsWatchProcess.Run(["scan", "--json", "--threshold", "1s"], timeout: TimeSpan.FromSeconds(20));
                return (result, clock.Elapsed);
            });

            // Scans keep completing: at least 8 more, every scrape answered within the HTTP client's 5 s timeout
            // (ScrapeAsync throws otherwise), and the timed-out read is not retried on each of them.
            end = reported;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (Daemon.Sum(end, Scans) < Daemon.Sum(reported, Scans) + 8)
            {
                Assert.True(DateTime.UtcNow < until, $"fewer than 8 scans in 8 s while wedged:\n{end}\n{daemon.Output}");
                var clock = Stopwatch.StartNew();
                end = await daemon.ScrapeAsync();
                scrapeTimes.Add(clock.Elapsed);
                lastScans.Add(Daemon.Sum(end, LastScan));
                Assert.Equal(1, Daemon.Sum(end, Wedged));
                await Task.Delay(100);
            }
            (oneShot, oneShotTook) = await scan;
            direct = await directRead;
            // Every measurement above was taken while the wedge held: the writer still queues for the mmap_lock.
            Assert.Equal('D', wedge.StateOf(wedge.WriterTid));
            wedgeLasted = wedged.Elapsed;
        }

        Assert.True(direct.ExitCode == 124, $"cat /proc/{pid}/cmdline returned (exit {direct.ExitCode}) within 1 s: the address space was not wedged");
        Assert.True(Daemon.Sum(end, Hung, "syscall=\"mount\"") >= 1, "the hung mount stays reported while wedged");
        Assert.True(Daemon.Sum(end, LastScan) > Daemon.Sum(reported, LastScan));
        Assert.True(lastScans.Zip(lastScans.Skip(1)).All(p => p.Second >= p.First), "last scan time never goes back");
        Assert.True(Daemon.Sum(end, Timeouts) - Daemon.Sum(reported, Timeouts) <= 1,
            $"the read that timed out was retried during {Daemon.Sum(end, Scans) - Daemon.Sum(reported, Scans)} scans: {Daemon.Sum(reported, Timeouts)} -> {Daemon.Sum(end, Timeouts)} timeouts");
        Assert.True(Daemon.Sum(end, Timeouts) - timeouts0 <= 2);
        Assert.Equal(Daemon.Sum(before, Stalls), Daemon.Sum(end, Stalls));

        Assert.True(oneShot.ExitCode == 1, $"scan exited {oneShot.ExitCode}:\n{oneShot.Stdout}\n{oneShot.Stderr}");
        var root = JsonDocument.Parse(oneShot.Stdout).RootElement;
        var call = Assert.Single(root.GetProperty("mount_syscalls").EnumerateArray(), c => c.GetProperty("tid").GetInt32() == tid);
        Assert.Equal(pid, call.GetProperty("pid").GetInt32());
        Assert.Equal("mount", call.GetProperty("syscall").GetString());
        Assert.Equal("fuse_get_req", call.GetProperty("wchan").GetString());
        Assert.True(call.GetProperty("hung").GetBoolean());
        Assert.True(oneShotTook < TimeSpan.FromSeconds(10), $"scan --json took {oneShotTook}");
        Assert.True(wedgeLasted < TimeSpan.FromSeconds(15), $"the wedge lasted {wedgeLasted}");

        // After cleanup the call is gone, and the process, which has exited, is no longer counted as wedged
        // (a live one would be remembered for IsolatedReader.RetryAfter; the retry is tested below with a clock
        // the test moves).
        string after = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, Hung) == 0 && Daemon.Sum(m, Scans) > Daemon.Sum(end, Scans) + 2,
            Soon, "the hung mount to be gone after cleanup");
        Assert.Equal(Daemon.Sum(end, Timeouts), Daemon.Sum(after, Timeouts));
        Assert.Equal(0, Daemon.Sum(after, Wedged));
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Contains($"Thread {tid} of fusewedge (pid {pid}) is hung in mount()", daemon.Output);

        double scans = Daemon.Sum(end, Scans) - Daemon.Sum(before, Scans), seconds = Daemon.Sum(end, ScanSeconds) - Daemon.Sum(before, ScanSeconds);
        double window = Daemon.Sum(end, Scans) - Daemon.Sum(reported, Scans), windowSeconds = Daemon.Sum(end, ScanSeconds) - Daemon.Sum(reported, ScanSeconds);
        output.WriteLine(FormattableString.Invariant(
            $"wedge lasted {wedgeLasted.TotalSeconds:0.00} s; cat /proc/{pid}/cmdline: exit {direct.ExitCode} after {direct.Elapsed.TotalSeconds:0.00} s"));
        output.WriteLine(FormattableString.Invariant(
            $"scans from the first scan to the end of the wedge: {scans}, {seconds:0.000} s in all, slowest <= {SlowestBucket(before, end)} s"));
        output.WriteLine(FormattableString.Invariant(
            $"after the timeout was counted: {window} scans, mean {windowSeconds / window * 1000:0.0} ms, slowest <= {SlowestBucket(reported, end)} s; isolated read timeouts {Daemon.Sum(reported, Timeouts) - timeouts0} then +{Daemon.Sum(end, Timeouts) - Daemon.Sum(reported, Timeouts)}"));
        output.WriteLine(FormattableString.Invariant(
            $"{scrapeTimes.Count} scrapes while wedged, slowest {scrapeTimes.Max().TotalMilliseconds:0} ms; scan --json took {oneShotTook.TotalSeconds:0.00} s (its scan_duration_seconds {root.GetProperty("scan_duration_seconds").GetDouble():0.000})"));
    }

    [Fact]
    public void IsolatedReaderSkipsAWedgedProcessThenRetriesItLater()
    {
        // The real child (nfswatch internal-read) on a real wedge; only the clock is the test's. A 2 s deadline,
        // not the daemon's 1 s, leaves room for `dotnet nfswatch.dll` to start on a loaded machine.
        var time = new ManualTime();
        var reader = new IsolatedReader(new SelfCommand("dotnet", [NfsWatchProcess.Dll]), "/proc", TimeSpan.FromSeconds(2), time);
        using var wedge = new WedgedProcess(lifetimeSeconds: 20);
        var thread = new ThreadKey(wedge.Pid, wedge.MountTid, 0);

        var clock = Stopwatch.StartNew();
        Assert.Equal(IsolatedReadStatus.TimedOut, reader.ReadCmdline(thread).Status);
        var firstTook = clock.Elapsed;
        Assert.Equal(1, reader.Timeouts);
        Assert.Equal(1, reader.WedgedProcesses);

        // Remembered: not read again, no child started, no deadline waited out.
        clock.Restart();
        for (int i = 0; i < 5; i++) Assert.Equal(IsolatedReadStatus.Skipped, reader.ReadCmdline(thread).Status);
        Assert.Equal(IsolatedReadStatus.Skipped, reader.ReadStrings(thread, [0x1000])[0].Status);
        var skippedTook = clock.Elapsed;
        Assert.True(skippedTook < TimeSpan.FromMilliseconds(500), $"skipped reads took {skippedTook}");
        time.Advance(reader.RetryAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(IsolatedReadStatus.Skipped, reader.ReadCmdline(thread).Status);
        Assert.Equal(1, reader.Timeouts);

        // Retried later: still wedged, so it times out once more and is remembered again.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(IsolatedReadStatus.TimedOut, reader.ReadCmdline(thread).Status);
        Assert.Equal(2, reader.Timeouts);
        Assert.Equal(1, reader.WedgedProcesses);

        // The wedge dissolves; the process is read again at the next retry, and forgotten as wedged.
        wedge.Abort();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (wedge.ReadCmdlineInChild(TimeSpan.FromSeconds(1)).ExitCode != 0)
            Assert.True(DateTime.UtcNow < until, "the wedge did not dissolve after the FUSE connections were aborted");
        Assert.Equal(IsolatedReadStatus.Skipped, reader.ReadCmdline(thread).Status);
        time.Advance(reader.RetryAfter + TimeSpan.FromSeconds(1));
        var value = reader.ReadCmdline(thread);
        Assert.Equal(IsolatedReadStatus.Ok, value.Status);
        Assert.StartsWith("/", System.Text.Encoding.UTF8.GetString(value.Bytes!));
        Assert.Contains("fusewedge\0", System.Text.Encoding.UTF8.GetString(value.Bytes!));
        Assert.Equal(0, reader.WedgedProcesses);
        Assert.Equal(2, reader.Timeouts);
        output.WriteLine(FormattableString.Invariant(
            $"first read timed out after {firstTook.TotalSeconds:0.00} s; 6 skipped reads took {skippedTook.TotalMilliseconds:0.0} ms"));
    }

    /// <summary>The smallest histogram bound that every scan between two scrapes fits under.</summary>
    private static string SlowestBucket(string from, string to)
    {
        double n = Daemon.Sum(to, Scans) - Daemon.Sum(from, Scans);
        foreach (double le in Buckets)
        {
            string label = $"le=\"{le.ToString(CultureInfo.InvariantCulture)}\"";
            double within = Daemon.Sum(to, "nfswatch_scan_duration_seconds_bucket", label) - Daemon.Sum(from, "nfswatch_scan_duration_seconds_bucket", label);
            if (within >= n) return le.ToString(CultureInfo.InvariantCulture);
        }
        return "+Inf";
    }
}
