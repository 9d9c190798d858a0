using System.Diagnostics;
using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// The triage story in a real systemd-journald (../shared/TESTBED.md section 3): journald runs in a private
/// mount namespace with its own /run, the daemon inside it logs with --log journal, a real hung mount(2)
/// comes and goes, and `journalctl -o json` reads the entries back.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class JournalTests
{
    [Fact]
    public async Task HungAndRecoveredEntriesCarryTheTriageFields()
    {
        using var dir = new TempTree();
        int port = TestHost.FreePort();
        string stop = Path.Combine(dir.Path, "stop"), export = Path.Combine(dir.Path, "journal.json");
        string script = $$"""
            set -u
            mount -t tmpfs tmpfs /run
            mkdir -p /run/systemd/journal
            /lib/systemd/systemd-journald & jpid=$!
            for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
            dotnet {{NfsWatchProcess.Dll}} run --log journal --threshold 1s --interval 250ms --listen 127.0.0.1:{{port}} > {{dir.Path}}/console.log 2>&1 & npid=$!
            for i in $(seq 1200); do [ -e {{stop}} ] && break; sleep 0.05; done
            kill -TERM $npid; wait $npid
            sleep 0.5
            journalctl -D "$(ls -d /run/log/journal/*)" -o json --no-pager SYSLOG_IDENTIFIER=nfswatch > {{export}}
            kill $jpid; wait $jpid
            """;
        var info = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "bash", "-c", script]) { UseShellExecute = false };
        info.Environment["NFSWATCH_STATE_DIR"] = NfsWatchProcess.StateDir;
        using var ns = Process.Start(info)!;
        int pid = 0, tid = 0;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            async Task<string> WaitMetrics(Func<string, bool> ok, string what)
            {
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                string last = "";
                while (DateTime.UtcNow < until)
                {
                    try { last = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"); if (ok(last)) return last; }
                    catch (HttpRequestException) { }
                    await Task.Delay(100);
                }
                Assert.Fail($"timed out waiting for {what}: {last}\n{File.ReadAllText(Path.Combine(dir.Path, "console.log"))}");
                return last;
            }
            await WaitMetrics(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), "the daemon");
            using (var hang = new HungMount(secondThread: true))
            {
                (pid, tid) = (hang.Pid, hang.Tid);
                hang.WaitUntilBlocked();
                await WaitMetrics(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") >= 1, "the hang");
            }
            await WaitMetrics(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 0, "the recovery");
        }
        finally
        {
            File.WriteAllText(stop, "");
            if (!ns.WaitForExit(TimeSpan.FromSeconds(30))) ns.Kill(entireProcessTree: true);
        }

        var entries = File.ReadAllLines(export).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // Everything went to the journal: nothing to the console.
        Assert.Empty(File.ReadAllText(Path.Combine(dir.Path, "console.log")).Trim());
        var hung = Assert.Single(entries, e => Field(e, "NFSWATCH_EVENT") == "hung" && Field(e, "NFSWATCH_TID") == tid.ToString());
        Assert.Equal(pid.ToString(), Field(hung, "NFSWATCH_PID"));
        Assert.Equal(("fusehang", "mount", "4"), (Field(hung, "NFSWATCH_COMM"), Field(hung, "NFSWATCH_SYSCALL"), Field(hung, "PRIORITY")));
        Assert.Equal("nfswatch", Field(hung, "SYSLOG_IDENTIFIER"));
        Assert.Contains("path_mount", Field(hung, "NFSWATCH_STACK")!.Split('\n'));
        Assert.EndsWith("/target", Field(hung, "NFSWATCH_TARGET"));
        Assert.Contains($"Thread {tid} of fusehang (pid {pid}) is hung in mount()", Field(hung, "MESSAGE"));
        var recovered = Assert.Single(entries, e => Field(e, "NFSWATCH_EVENT") == "recovered" && Field(e, "NFSWATCH_TID") == tid.ToString());
        Assert.Equal("6", Field(recovered, "PRIORITY"));
        Assert.Contains(entries, e => Field(e, "MESSAGE")?.StartsWith("NfsWatch 0.1.0 starting", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void WithoutAJournalSocketTheDaemonSaysSoOnceAndLogsToTheConsole()
    {
        using var dir = new TempTree();
        string script = $"mount -t tmpfs tmpfs /run; timeout -s TERM 3 dotnet {NfsWatchProcess.Dll} run --log journal --interval 1s --listen 127.0.0.1:{TestHost.FreePort()}; true";
        var info = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "bash", "-c", script]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();

        Assert.Single(output.Split('\n'), l => l.Contains("No journal socket at /run/systemd/journal/socket: logging to the console instead"));
        Assert.Contains("NfsWatch 0.1.0 starting", output);
    }

    // journalctl -o json prints a field as a string, or as an array of bytes when it is not valid UTF-8 text.
    private static string? Field(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;

}
