using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NfsWatch.Tests.Live;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Systemd;

/// <summary>
/// NfsWatch as systemd runs it: the Native AOT binary and systemd/nfswatch.service installed in a container
/// booted with a real systemd. It becomes active through notify, reports a hung FUSE mount started inside
/// the container as a unit with that unit's name (/metrics, scan --json, the journal), records the recovery,
/// and systemd's watchdog restarts it when its scan loop is stopped.
/// </summary>
[Collection("live")]
[Trait("Tier", "systemd")]
public class SystemdServiceTests
{
    [Fact]
    public async Task TheServiceRunsUnderSystemdAndTellsTheJournalWhoHangs()
    {
        using var pkg = PackagedUnit.Stage();
        File.Copy(HungMount.BinaryPath, Path.Combine(pkg.Path, "fusehang"));
        int port = TestHost.FreePort();

        using var c = new NspawnContainer(pkg.Path);
        Assert.Equal(0, c.Run("cp", "/pkg/nfswatch", "/usr/bin/nfswatch").ExitCode);
        Assert.Equal(0, c.Run("cp", "/pkg/nfswatch.service", "/pkg/nfswatch.socket", "/etc/systemd/system/").ExitCode);
        // The system user, as a package creates it (sysusers.d).
        Assert.Equal(0, c.Run("cp", "/pkg/nfswatch.sysusers", "/usr/lib/sysusers.d/nfswatch.conf").ExitCode);
        Assert.Equal(0, c.Run("systemd-sysusers").ExitCode);
        // The test's own settings, as an operator's drop-ins: short threshold and interval, a short watchdog,
        // and the socket on a free loopback port (the container shares the host's network).
        c.Run("mkdir", "-p", "/etc/systemd/system/nfswatch.service.d", "/etc/systemd/system/nfswatch.socket.d");
        c.Run("sh", "-c", "printf '[Service]\\nEnvironment=NFSWATCH_THRESHOLD=2s NFSWATCH_INTERVAL=1s\\nWatchdogSec=6s\\n' > /etc/systemd/system/nfswatch.service.d/test.conf");
        c.Run("sh", "-c", $"printf '[Socket]\\nListenStream=\\nListenStream=127.0.0.1:{port}\\n' > /etc/systemd/system/nfswatch.socket.d/test.conf");
        c.Run("systemctl", "daemon-reload");
        var start = c.Run("systemctl", "start", "nfswatch");
        Assert.True(start.ExitCode == 0, $"systemctl start failed: {start.Stderr}\n{c.Run("journalctl", "-u", "nfswatch", "--no-pager").Stdout}");

        // Type=notify: active only once READY=1 came, i.e. after the first scan; STATUS in words.
        Assert.Equal("active", c.Property("nfswatch", "ActiveState"));
        Assert.Equal("active", c.Property("nfswatch.socket", "ActiveState"));
        Assert.StartsWith("no hung mounts", c.Property("nfswatch", "StatusText"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        Assert.Contains("nfswatch_scanned_threads ", await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
        // /metrics comes through the socket systemd passed: the daemon itself has a network namespace of its own.
        string mainPid = c.Property("nfswatch", "MainPID");
        Assert.NotEqual(c.Run("readlink", "/proc/1/ns/net").Stdout, c.Run("readlink", $"/proc/{mainPid}/ns/net").Stdout);
        Assert.Contains("the socket systemd passed", c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout);

        // A real hung mount(2) inside the container, as a unit of its own.
        c.Run("mkdir", "-p", "/tmp/hang");
        Assert.Equal(0, c.Run("systemd-run", "--unit=hangtest", "/pkg/fusehang", "/tmp/hang", "noinit", "second", "60").ExitCode);
        try
        {
            string metrics = await Poll(http, port, m => Daemon.Sum(m, "nfswatch_hung_mount_threads") >= 1, "the hang on /metrics");
            Assert.Equal(1, Daemon.Sum(metrics, "nfswatch_hung_mount_threads", "syscall=\"mount\""));
            Assert.StartsWith("1 hung mount", c.Property("nfswatch", "StatusText"));

            var scan = c.Run("/usr/bin/nfswatch", "scan", "--json", "--threshold", "1s");
            ScanSchema.AssertValid(scan.Stdout, "scan --json under the packaged unit's systemd");
            var call = Assert.Single(JsonDocument.Parse(scan.Stdout).RootElement.GetProperty("mount_syscalls").EnumerateArray());
            Assert.Equal("hangtest.service", call.GetProperty("unit").GetString());
            Assert.Equal("fusehang", call.GetProperty("comm").GetString());

            var hung = JournalEntries(c, "NFSWATCH_EVENT=hung");
            var entry = Assert.Single(hung);
            Assert.Equal(("hangtest.service", "mount", "4"), (Field(entry, "NFSWATCH_UNIT"), Field(entry, "NFSWATCH_SYSCALL"), Field(entry, "PRIORITY")));
            Assert.Equal(call.GetProperty("tid").GetInt32().ToString(CultureInfo.InvariantCulture), Field(entry, "NFSWATCH_TID"));
        }
        finally
        {
            c.Run("systemctl", "kill", "-s", "KILL", "hangtest");
            c.Run("umount", "-l", "/tmp/hang/mnt");
        }
        await Poll(http, port, m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 0, "the recovery");
        Assert.Single(JournalEntries(c, "NFSWATCH_EVENT=recovered"));

        // A mount unit whose mount hangs in the kernel stays "activating": its helper (mount.nfswatchhang, the
        // FUSE hang again) sits in mount(2) in the unit's own cgroup. Where= is a plain directory, so systemd
        // itself never touches the hung path.
        c.Run("sh", "-c", "printf '#!/bin/sh\\nmkdir -p /tmp/unithang\\nexec /pkg/fusehang /tmp/unithang noinit main 60\\n' > /usr/sbin/mount.nfswatchhang && chmod 755 /usr/sbin/mount.nfswatchhang");
        c.Run("sh", "-c", "printf '[Mount]\\nWhat=hang\\nWhere=/tmp/unitmnt\\nType=nfswatchhang\\nTimeoutSec=120\\n' > /etc/systemd/system/tmp-unitmnt.mount");
        c.Run("systemctl", "daemon-reload");
        Assert.Equal(0, c.Run("systemctl", "start", "--no-block", "tmp-unitmnt.mount").ExitCode);
        try
        {
            string metrics = await Poll(http, port, m => Daemon.Sum(m, "nfswatch_systemd_mount_units", "state=\"activating\"") == 1
                                                          && Daemon.Sum(m, "nfswatch_hung_mount_threads") == 1, "the activating mount unit");
            Assert.Equal(1, Daemon.Sum(metrics, "nfswatch_probe_available", "probe=\"dbus\""));
            Assert.Equal("activating", c.Property("tmp-unitmnt.mount", "ActiveState"));
            string scanText = c.Run("/usr/bin/nfswatch", "scan", "--json", "--threshold", "1s").Stdout;
            ScanSchema.AssertValid(scanText, "scan --json with a mount unit activating");
            var scan = JsonDocument.Parse(scanText).RootElement;
            var unit = Assert.Single(scan.GetProperty("systemd_mount_units").EnumerateArray(), u => u.GetProperty("unit").GetString() == "tmp-unitmnt.mount");
            Assert.Equal(("activating", "mounting"), (unit.GetProperty("state").GetString(), unit.GetProperty("sub_state").GetString()));
            Assert.InRange(unit.GetProperty("activating_seconds").GetDouble(), 2, 120);
            // The hung thread is the mount unit's own.
            var call = Assert.Single(scan.GetProperty("mount_syscalls").EnumerateArray());
            Assert.Equal("tmp-unitmnt.mount", call.GetProperty("unit").GetString());
            Assert.Contains("tmp-unitmnt.mount", c.Run("/usr/bin/nfswatch", "scan", "--threshold", "1s").Stdout);
        }
        finally
        {
            c.Run("systemctl", "kill", "-s", "KILL", "tmp-unitmnt.mount");
            c.Run("umount", "-l", "/tmp/unithang/mnt");
        }
        // Its mount killed, the unit has failed, and is counted so.
        string after = await Poll(http, port, m => Daemon.Sum(m, "nfswatch_systemd_mount_units", "state=\"failed\"") == 1, "the failed mount unit");
        Assert.Equal(0, Daemon.Sum(after, "nfswatch_systemd_mount_units", "state=\"activating\""));
        Assert.Equal("failed", c.Property("tmp-unitmnt.mount", "ActiveState"));

        // The watchdog: a scan loop that stops (SIGSTOP) stops the WATCHDOG=1 pings, and systemd restarts it.
        string pid = c.Property("nfswatch", "MainPID");
        c.Run("kill", "-STOP", pid);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until && !(c.Property("nfswatch", "NRestarts") != "0" && c.Property("nfswatch", "ActiveState") == "active"))
            await Task.Delay(500);
        Assert.Equal("1", c.Property("nfswatch", "NRestarts"));
        Assert.NotEqual(pid, c.Property("nfswatch", "MainPID"));
        Assert.Contains("Failed with result 'watchdog'", c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout);

        // (The socket's IP allow list is not tested: systemd enforces it with eBPF on cgroup v2, and the test
        // hosts have cgroup v1 only, where systemd silently does not.)

        // Textfile mode with the shipped drop-ins: no TCP port, the metrics in /var/lib/nfswatch/nfswatch.prom and
        // on a local socket.
        foreach (string unit in new[] { "service", "socket" })
            File.Copy(Path.Combine(TestHost.RepoRoot, "systemd", "textfile", $"nfswatch.{unit}.conf"), Path.Combine(pkg.Path, $"textfile-{unit}.conf"));
        c.Run("cp", "/pkg/textfile-service.conf", "/etc/systemd/system/nfswatch.service.d/textfile.conf");
        c.Run("sh", "-c", "rm /etc/systemd/system/nfswatch.socket.d/test.conf; cp /pkg/textfile-socket.conf /etc/systemd/system/nfswatch.socket.d/textfile.conf");
        Restart(c);
        var until2 = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until2 && c.Run("grep", "-c", "^nfswatch_scanned_threads ", "/var/lib/nfswatch/nfswatch.prom").ExitCode != 0) await Task.Delay(250);
        Assert.Equal(0, c.Run("grep", "-q", "^nfswatch_scanned_threads ", "/var/lib/nfswatch/nfswatch.prom").ExitCode);
        Assert.Equal("-rw-r--r-- nfswatch", c.Run("stat", "-c", "%A %U", "/var/lib/nfswatch/nfswatch.prom").Stdout.Trim());
        Assert.Equal("", await RawScrape(new IPEndPoint(IPAddress.Loopback, port), from: IPAddress.Loopback));
        Assert.StartsWith("HTTP/1.1 200 OK", await RawScrape(new UnixDomainSocketEndPoint($"/proc/{c.InitPid}/root/run/nfswatch-metrics.sock"), from: null));
    }

    private static void Restart(NspawnContainer c)
    {
        c.Run("systemctl", "daemon-reload");
        c.Run("systemctl", "stop", "nfswatch.service", "nfswatch.socket");
        var start = c.Run("systemctl", "start", "nfswatch.socket", "nfswatch.service");
        Assert.True(start.ExitCode == 0, $"systemctl start failed: {start.Stderr}\n{c.Run("journalctl", "-b", "-u", "nfswatch", "--no-pager").Stdout}");
    }

    /// <summary>GET /metrics over a raw connection; "" when nothing answers within 3 s (refused, or dropped by a filter).</summary>
    private static async Task<string> RawScrape(EndPoint to, IPAddress? from)
    {
        using var socket = to is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(to, timeout.Token);
            await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var answer = new MemoryStream();
            byte[] buffer = new byte[65536];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Write(buffer, 0, n);
            return System.Text.Encoding.UTF8.GetString(answer.ToArray());
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return "";
        }
    }

    private static List<JsonElement> JournalEntries(NspawnContainer c, string match) =>
        [.. c.Run("journalctl", "-b", "-u", "nfswatch", match, "-o", "json", "--no-pager").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string? Field(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static async Task<string> Poll(HttpClient http, int port, Func<string, bool> ok, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string last = "";
        while (DateTime.UtcNow < until)
        {
            try { last = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"); if (ok(last)) return last; }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"timed out waiting for {what}; last /metrics:\n{last}");
        return last;
    }


}
