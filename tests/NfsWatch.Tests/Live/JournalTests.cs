using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NfsWatch.Outputs.Journal;
using NfsWatch.Tests.Support;
using static NfsWatch.Tests.Support.Journald;

namespace NfsWatch.Tests.Live;

/// <summary>
/// The triage story in a real systemd-journald of the test's own (Support/Journald.cs): the daemon
/// logs to it with --log journal while a real hung mount(2) comes and goes, and `journalctl -o json` reads
/// the entries back.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class JournalTests
{
    [Fact]
    public async Task HungAndRecoveredEntriesCarryTheTriageFields()
    {
        using var journald = new Journald();
        int pid, tid;
        using (var daemon = new Daemon(journald.Enter, "1s", "250ms", "--log", "journal"))
        {
            await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), TimeSpan.FromSeconds(30), "the daemon");
            using (var hang = new HungMount(secondThread: true))
            {
                (pid, tid) = (hang.Pid, hang.Tid);
                hang.WaitUntilBlocked();
                await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") >= 1, TimeSpan.FromSeconds(30), "the hang");
            }
            await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_hung_mount_threads") == 0, TimeSpan.FromSeconds(30), "the recovery");
            Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(20)));
            // Everything went to the journal: nothing to the console.
            Assert.Empty(daemon.Output.Trim());
        }

        string t = tid.ToString();
        var entries = journald.WaitFor(es => es.Any(e => Field(e, "NFSWATCH_EVENT") == "recovered" && Field(e, "NFSWATCH_TID") == t),
            "SYSLOG_IDENTIFIER=nfswatch");
        var hung = Assert.Single(entries, e => Field(e, "NFSWATCH_EVENT") == "hung" && Field(e, "NFSWATCH_TID") == t);
        Assert.Equal(pid.ToString(), Field(hung, "NFSWATCH_PID"));
        Assert.Equal(("fusehang", "mount", "4"), (Field(hung, "NFSWATCH_COMM"), Field(hung, "NFSWATCH_SYSCALL"), Field(hung, "PRIORITY")));
        Assert.Equal("nfswatch", Field(hung, "SYSLOG_IDENTIFIER"));
        Assert.Contains("path_mount", Field(hung, "NFSWATCH_STACK")!.Split('\n'));
        Assert.EndsWith("/target", Field(hung, "NFSWATCH_TARGET"));
        Assert.Contains($"Thread {tid} of fusehang (pid {pid}) is hung in mount()", Field(hung, "MESSAGE"));
        var recovered = Assert.Single(entries, e => Field(e, "NFSWATCH_EVENT") == "recovered" && Field(e, "NFSWATCH_TID") == t);
        Assert.Equal("6", Field(recovered, "PRIORITY"));
        Assert.Contains(entries, e => Field(e, "MESSAGE")?.StartsWith("NfsWatch 0.1.0 starting", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void AnEntryTooLargeForADatagramArrivesWholeThroughAMemfd()
    {
        using var journald = new Journald();
        using var writer = new NativeJournalWriter(journald.SocketPath);
        Assert.True(writer.IsAvailable);
        // 1 MiB is far past what one AF_UNIX datagram may carry (net.core.wmem_max, about 208 KiB), so the
        // kernel refuses the datagram and the entry goes as a sealed memfd. Lines and a '=' inside the value
        // exercise the length-prefixed form of a field.
        var big = new StringBuilder();
        for (int i = 0; big.Length < 1 << 20; i++) big.Append("frame ").Append(i).Append(" = nfs4_discover_server_trunking+0x1f0/0x2e0\n");
        string id = Guid.NewGuid().ToString("N");
        Assert.True(writer.TryWrite([new("MESSAGE", "a large entry"), new("PRIORITY", "6"), new("SYSLOG_IDENTIFIER", "nfswatch-test"),
                                     new("NFSWATCH_TEST_ID", id), new("NFSWATCH_STACK", big.ToString())]));
        Assert.True(writer.TryWrite([new("MESSAGE", "a small entry\nover two lines"), new("SYSLOG_IDENTIFIER", "nfswatch-test"), new("NFSWATCH_TEST_ID", id)]));

        var entries = journald.WaitFor(es => es.Count == 2, $"NFSWATCH_TEST_ID={id}");
        Assert.Equal(2, entries.Count);
        var large = Assert.Single(entries, e => Field(e, "MESSAGE") == "a large entry");
        Assert.Equal(big.ToString(), Field(large, "NFSWATCH_STACK"));
        Assert.Equal("6", Field(large, "PRIORITY"));
        Assert.Single(entries, e => Field(e, "MESSAGE") == "a small entry\nover two lines");
    }

    [Fact]
    public void WithoutAJournalSocketTheDaemonSaysSoOnceAndLogsToTheConsole()
    {
        string script = $"mount -t tmpfs tmpfs /run; timeout -s TERM 3 dotnet {NfsWatchProcess.Dll} run --log journal --interval 1s --listen 127.0.0.1:{TestHost.FreePort()}; true";
        var info = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "bash", "-c", script]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();

        Assert.Single(output.Split('\n'), l => l.Contains("No journal socket at /run/systemd/journal/socket: logging to the console instead"));
        Assert.Contains("NfsWatch 0.1.0 starting", output);
    }
}
