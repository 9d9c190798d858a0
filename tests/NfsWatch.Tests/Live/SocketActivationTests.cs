using System.Net.Sockets;
using System.Net;
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
            // systemd-socket-activate starts the daemon at the first connection, which waits in the socket's backlog
            // until the daemon has started and served its first scan: seconds on a loaded machine.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string metrics = "";
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < until && !p.HasExited)
            {
                try { metrics = await http.GetStringAsync($"http://127.0.0.1:{passed}/metrics"); break; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(100); }
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

    [Fact]
    public async Task ADatagramSocketIsRefusedWithTheReason()
    {
        int port = TestHost.FreePort();
        // systemd-socket-activate starts the program at the first datagram, with the socket as descriptor 3.
        using var p = NfsWatchProcess.Start(["run", "--interval", "250ms", "--log", "console"],
            prefix: ["systemd-socket-activate", "--datagram", "-l", $"127.0.0.1:{port}"]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var udp = new UdpClient())
        {
            for (int i = 0; i < 100 && !p.HasExited; i++)
            {
                udp.Send([1], 1, "127.0.0.1", port);
                p.WaitForExit(100);
            }
        }
        if (!p.WaitForExit(TimeSpan.FromSeconds(30))) p.Kill(entireProcessTree: true);
        var run = new NfsWatchProcess.Result(p.ExitCode, await stdout, await stderr);
        // Exit 2, a setting that cannot work: the unit's RestartPreventExitStatus=2 leaves it failed, not looping.
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("descriptor 3 that systemd passed is not a listening stream socket: the socket unit must use ListenStream= with Accept=no",
            run.Stdout + run.Stderr);
        Assert.DoesNotContain("Unhandled exception", run.Stdout + run.Stderr);
    }
}
