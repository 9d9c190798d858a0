using System.Globalization;
using NfsWatch.Tests.Live;
using NfsWatch.Tests.Support;
using Xunit.Abstractions;

namespace NfsWatch.Tests.Soak;

/// <summary>
/// The daemon over a long run (10 minutes; NFSWATCH_SOAK_MINUTES to change it) while hundreds of genuinely hung
/// mount(2) threads appear and disappear: processes of 100 hung threads each (tests/hang/fusehang.c, many:100),
/// up to three at a time, each living 4 to 12 seconds. Its resident memory, open descriptors and metric series
/// must not grow: the last quarter of the run is compared with the second.
/// </summary>
[Collection("live")]
[Trait("Tier", "soak")]
public class SoakTests(ITestOutputHelper output)
{
    private sealed record Sample(TimeSpan At, long RssKiB, int Fds, int Series, int HungNow);

    [Fact]
    public async Task MemoryDescriptorsAndSeriesStayFlatWhileHangsComeAndGo()
    {
        double minutes = double.Parse(Environment.GetEnvironmentVariable("NFSWATCH_SOAK_MINUTES") ?? "10", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromMinutes(minutes);
        using var daemon = new Daemon("1s", "500ms");
        string first = await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), TimeSpan.FromSeconds(30), "the daemon");
        // One hang first, so that the counters' label sets exist: the series of a quiet daemon are then fixed.
        using (var warmUp = new HungMount())
        {
            warmUp.WaitUntilBlocked();
            await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 1, TimeSpan.FromSeconds(30), "the warm-up hang");
        }
        first = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_mount_syscall_threads") == 0, TimeSpan.FromSeconds(30), "quiet after the warm-up");
        double events0 = Daemon.Sum(first, "nfswatch_hung_mount_events_total");
        var fdsStart = Descriptors(daemon.Process.Id);
        int fdsQuietStart = fdsStart.Count;

        var samples = new List<Sample>();
        var hangs = new List<(HungMount Hang, DateTime Ends)>();
        var random = new Random(20261127);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int started = 0, peakHung = 0;
        var nextSample = TimeSpan.Zero;
        try
        {
            while (clock.Elapsed < duration)
            {
                // End the hangs whose time is up, keep up to three going.
                foreach (var h in hangs.Where(h => h.Ends <= DateTime.UtcNow).ToList())
                {
                    h.Hang.Dispose();
                    hangs.Remove(h);
                }
                while (hangs.Count < 3 && clock.Elapsed < duration - TimeSpan.FromSeconds(15))
                {
                    hangs.Add((new HungMount(threads: 100, lifetimeSeconds: 60), DateTime.UtcNow + TimeSpan.FromSeconds(random.Next(4, 13))));
                    started++;
                }
                if (clock.Elapsed >= nextSample)
                {
                    string m = await daemon.ScrapeAsync();
                    var sample = new Sample(clock.Elapsed, RssKiB(daemon.Process.Id), Directory.GetFiles($"/proc/{daemon.Process.Id}/fd").Length,
                        m.Split('\n').Count(l => l.Length > 0 && l[0] != '#'), (int)Daemon.Sum(m, "nfswatch_hung_mount_threads"));
                    samples.Add(sample);
                    peakHung = Math.Max(peakHung, sample.HungNow);
                    nextSample += TimeSpan.FromSeconds(10);
                }
                await Task.Delay(250);
            }
        }
        finally
        {
            foreach (var h in hangs) h.Hang.Dispose();
        }

        // Quiet again: no hang left, so the series are what they were with none.
        string end = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 0 && Daemon.Sum(m, "nfswatch_mount_syscall_threads") == 0,
            TimeSpan.FromSeconds(30), "the last hangs to be gone");
        int seriesQuiet = end.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
        await Task.Delay(TimeSpan.FromSeconds(3)); // the last isolated-reader children reaped
        var fdsEnd = Descriptors(daemon.Process.Id);
        int fdsQuietEnd = fdsEnd.Count;
        output.WriteLine("descriptors new at the end: " + string.Join(", ", fdsEnd.Except(fdsStart)));
        output.WriteLine("series new at the end: " + string.Join(", ", SeriesNames(end).Except(SeriesNames(first))));
        output.WriteLine("series gone at the end: " + string.Join(", ", SeriesNames(first).Except(SeriesNames(end))));
        int seriesStart = first.Split('\n').Count(l => l.Length > 0 && l[0] != '#'); // quiet, after the warm-up
        double events = Daemon.Sum(end, "nfswatch_hung_mount_events_total") - events0;

        var second = samples.Where(s => s.At >= duration / 4 && s.At < duration / 2).ToList();
        var last = samples.Where(s => s.At >= duration * 3 / 4).ToList();
        foreach (var s in samples)
            output.WriteLine(FormattableString.Invariant($"{s.At.TotalSeconds,6:0}s rss {s.RssKiB / 1024.0,6:0.0} MiB fds {s.Fds,3} series {s.Series,4} hung {s.HungNow,3}"));
        output.WriteLine(FormattableString.Invariant(
            $"{started} processes of 100 hung threads in {duration.TotalMinutes:0.#} min, peak {peakHung} hung at once, {events} hung events counted; RSS max {second.Max(s => s.RssKiB) / 1024.0:0.0} MiB in the second quarter, {last.Max(s => s.RssKiB) / 1024.0:0.0} MiB in the last; fds with nothing hung {fdsQuietStart} then {fdsQuietEnd} (peak {samples.Max(s => s.Fds)}); series {seriesStart} at start, {seriesQuiet} at the end"));

        // The hangs were really there and seen.
        Assert.True(peakHung >= 200, $"at most {peakHung} hung threads at once");
        Assert.True(events >= started * 100 * 0.9, $"{events} hung events for {started * 100} hung threads");
        // Nothing grows: memory within 10% (plus 4 MiB for the GC's own moves); descriptors but loaded assemblies,
        // counted when nothing hangs (while hangs come and go, the pipes of isolated-reader children come and go by
        // the hundred), within 4 of where they were; the series with nothing hung exactly as at the start (a hang
        // counted with fstype "unknown" would add one: every hung thread here is explained before it counts).
        long rssBefore = second.Max(s => s.RssKiB), rssAfter = last.Max(s => s.RssKiB);
        Assert.True(rssAfter <= rssBefore * 1.10 + 4096, $"RSS grew from {rssBefore} KiB to {rssAfter} KiB");
        Assert.True(fdsQuietEnd <= fdsQuietStart + 4, $"descriptors with nothing hung grew from {fdsQuietStart} to {fdsQuietEnd}");
        Assert.Equal(seriesStart, seriesQuiet);
    }

    /// <summary>
    /// The daemon's open descriptors, but for the assemblies the .NET runtime holds open once it has loaded them: the
    /// JIT build loads some only when a code path first runs (System.Threading.Channels, ...), which is no leak.
    /// </summary>
    private static List<string> Descriptors(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd")
            .Select(f => { try { return Path.GetFileName(f) + "->" + File.ResolveLinkTarget(f, false)?.FullName; } catch (IOException) { return f; } })
            .Where(d => !d.EndsWith(".dll", StringComparison.Ordinal))
            .ToList();

    private static IEnumerable<string> SeriesNames(string metrics) =>
        metrics.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.LastIndexOf(' ')]);

    private static long RssKiB(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return 0;
    }
}
