using System.Diagnostics;
using NfsWatch.Tests.Live;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// The textfile mode for hosts that run node_exporter and allow no new port: the daemon serves no HTTP
/// (--listen off) and writes its metrics to a .prom file after each scan; a real node_exporter (Debian's
/// prometheus-node-exporter) reads that file through a symlink in its textfile directory and exports a real
/// hung mount(2).
/// </summary>
[Collection("live")]
[Trait("Tier", "prometheus")]
public class TextfileCollectorTests
{
    [Fact]
    public async Task NodeExporterExportsAHangFromTheTextfile()
    {
        using var dir = new TempTree();
        string own = Directory.CreateDirectory(Path.Combine(dir.Path, "nfswatch")).FullName;
        string collector = Directory.CreateDirectory(Path.Combine(dir.Path, "node-exporter")).FullName;
        string textfile = Path.Combine(own, "nfswatch.prom");
        File.CreateSymbolicLink(Path.Combine(collector, "nfswatch.prom"), textfile);
        int port = TestHost.FreePort();

        using var daemon = NfsWatchProcess.Start(["run", "--threshold", "1s", "--interval", "250ms", "--log", "console", "--listen", "off", "--textfile", textfile]);
        var daemonOutput = daemon.StandardOutput.ReadToEndAsync();
        using var exporter = Process.Start(new ProcessStartInfo("prometheus-node-exporter",
            [$"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults", "--collector.textfile", $"--collector.textfile.directory={collector}"])
            { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            async Task<string> Wait(Func<string, bool> ok, string what)
            {
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                string last = "";
                while (DateTime.UtcNow < until)
                {
                    // (The message is built only once it has exited: awaiting its output earlier would wait forever.)
                    if (daemon.HasExited) Assert.Fail($"nfswatch exited: {await daemonOutput}");
                    try { last = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"); if (ok(last)) return last; }
                    catch (HttpRequestException) { }
                    await Task.Delay(200);
                }
                Assert.Fail($"timed out waiting for {what}; node_exporter said:\n{last}");
                return last;
            }

            string before = await Wait(m => m.Contains("nfswatch_scanned_threads "), "nfswatch's metrics through node_exporter");
            Assert.Equal(0, Daemon.Sum(before, "node_textfile_scrape_error"));
            Assert.Equal(0, Daemon.Sum(before, "nfswatch_hung_mount_threads"));
            // The file is readable by node_exporter's user whatever the daemon's umask, and nothing else was left beside it.
            Assert.Equal("nfswatch.prom", Assert.Single(Directory.GetFiles(own), f => !Path.GetFileName(f).StartsWith('.')).Split('/')[^1]);
            Assert.True(File.GetUnixFileMode(textfile).HasFlag(UnixFileMode.OtherRead));

            using (var hang = new HungMount(secondThread: false))
            {
                hang.WaitUntilBlocked();
                string during = await Wait(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 1, "the hang through node_exporter");
                Assert.Equal(1, Daemon.Sum(during, "nfswatch_hung_mount_threads", "syscall=\"mount\""));
            }
            await Wait(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 0 && m.Contains("nfswatch_scanned_threads "), "the recovery through node_exporter");
        }
        finally
        {
            if (!exporter.HasExited) exporter.Kill();
            Posix.Kill(daemon.Id, Posix.SIGTERM);
            if (!daemon.WaitForExit(TimeSpan.FromSeconds(20))) daemon.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, daemon.ExitCode);
        Assert.Contains($"Not serving /metrics (--listen off); writing them to {textfile}", await daemonOutput);
    }
}
