using System.Net.Sockets;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// /metrics on a socket passed by socket activation (sd_listen_fds), as nfswatch.socket does, here with
/// systemd's own systemd-socket-activate: the passed socket is served and --listen is not bound.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class SocketActivationTests
{
    [Fact]
    public async Task ThePassedSocketIsServedInsteadOfListen()
    {
        int passed = TestHost.FreePort(), listen = TestHost.FreePort();
        using var p = NfsWatchProcess.Start(["run", "--interval", "250ms", "--log", "console", "--listen", $"127.0.0.1:{listen}"],
            prefix: ["systemd-socket-activate", "-l", $"127.0.0.1:{passed}"]);
        var output = p.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            string metrics = "";
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < until && !p.HasExited)
            {
                try { metrics = await http.GetStringAsync($"http://127.0.0.1:{passed}/metrics"); break; }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.Contains("nfswatch_scanned_threads ", metrics);
            // A scan has run: the endpoint serves the daemon's registry.
            Assert.Contains("nfswatch_last_scan_timestamp_seconds ", metrics);
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{listen}/metrics"));
            Assert.Equal(SocketError.ConnectionRefused, (refused.InnerException as SocketException)?.SocketErrorCode);
        }
        finally
        {
            Posix.Kill(p.Id, Posix.SIGTERM);
            if (!p.WaitForExit(TimeSpan.FromSeconds(20))) p.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, p.ExitCode);
        Assert.Contains($"Serving metrics on http://127.0.0.1:{passed}/metrics, the socket systemd passed (--listen is not used)", await output);
    }
}
