using System.Diagnostics;
using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// Blocked I/O outside mount calls on the running kernel: `ls` and `stat` on a FUSE mount whose server never
/// answers. They must be reported as blocked, with their filesystem and mount, and `scan` must exit 1; the daemon
/// must count them in nfswatch_blocked_threads. Cleanup ends the FUSE server first (its connection aborts and every
/// waiter returns), then the commands.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class BlockedIoTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(HungMount.Mode.NoInit, "D")]
    // Answering FUSE_INIT only: each request waits interruptibly (S) in request_wait_answer for a reply.
    [InlineData(HungMount.Mode.Init, "S")]
    public void LsAndStatOnAFuseMountThatNeverAnswersAreBlockedAndScanExitsOne(HungMount.Mode mode, string state)
    {
        using var hang = new HungMount(mode, lifetimeSeconds: 60);
        hang.WaitUntilBlocked();
        using var ls = new StuckCommand("/bin/ls", hang.MountPoint);
        using var stat = new StuckCommand("/usr/bin/stat", Path.Combine(hang.MountPoint, "file"));
        try
        {
            ls.WaitUntilBlocked();
            stat.WaitUntilBlocked();
            Thread.Sleep(2500); // well past the 1 s threshold: CPUs' scheduler clocks differ by ~0.26 s on this VM

            var have = NfsWatchProcess.Run(["scan", "--json", "--threshold", "1s"]);

            Assert.True(have.ExitCode == 1, $"scan exited {have.ExitCode}:\n{have.Stdout}\n{have.Stderr}");
            var blocked = JsonDocument.Parse(have.Stdout).RootElement.GetProperty("nfs_blocked").EnumerateArray().ToList();
            foreach (var command in new[] { ls, stat })
            {
                var t = Assert.Single(blocked, b => b.GetProperty("pid").GetInt32() == command.Pid);
                Assert.True(t.GetProperty("hung").GetBoolean());
                Assert.Equal("fuse.fusehang", t.GetProperty("fstype").GetString());
                Assert.Equal(hang.MountPoint, t.GetProperty("target").GetString());
            }
            // ls waits for the server's reply to its GETATTR of the mount's root.
            var lsThread = blocked.Single(b => b.GetProperty("pid").GetInt32() == ls.Pid);
            Assert.Equal(state, lsThread.GetProperty("state").GetString());
            Assert.Equal("fuse-server-not-answering", lsThread.GetProperty("signature").GetProperty("id").GetString());
            Assert.Equal("no_reply_from_server", lsThread.GetProperty("cause").GetString());
            Assert.Contains($"the FUSE server of {hang.MountPoint}", lsThread.GetProperty("action").GetProperty("fix").GetString());
            // stat's walk waits for the root directory's FUSE lock, which the hung mount(2) holds while its own
            // LOOKUP of MNT/sub waits for the server: a directory lock, held by a thread found.
            var statThread = blocked.Single(b => b.GetProperty("pid").GetInt32() == stat.Pid);
            Assert.Equal(("D", "fuse_lock_inode"), (statThread.GetProperty("state").GetString(), statThread.GetProperty("wchan").GetString()));
            Assert.Equal("dir-lock-behind-blocked-io", statThread.GetProperty("signature").GetProperty("id").GetString());
            Assert.Equal("client_state", statThread.GetProperty("cause").GetString());
            Assert.Equal(hang.Tid, statThread.GetProperty("waits_for").GetProperty("tid").GetInt32());
            Assert.Equal("waiter", statThread.GetProperty("role").GetString());

            var table = NfsWatchProcess.Run(["scan", "--threshold", "1s"]);
            Assert.Equal(1, table.ExitCode);
            Assert.Contains("BLOCKED waiting for a reply from their server", table.Stdout);
            Assert.DoesNotContain("Nothing hangs", table.Stdout);
        }
        finally
        {
            // The server first: closing /dev/fuse aborts the connection and releases ls and stat.
            hang.Dispose();
        }
    }

    [Fact]
    public async Task TheDaemonCountsBlockedThreadsOnEveryFileSystem()
    {
        using var daemon = new Daemon(threshold: "1s", interval: "250ms");
        await daemon.WaitForMetricsAsync(m => m.Contains("nfswatch_last_scan_timestamp_seconds "), Soon, "the first scan");
        using (var hang = new HungMount(lifetimeSeconds: 60))
        {
            hang.WaitUntilBlocked();
            using var ls = new StuckCommand("/bin/ls", hang.MountPoint);
            try
            {
                ls.WaitUntilBlocked();
                string metrics = await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_blocked_threads", "fstype=\"fuse.fusehang\"") >= 1,
                    Soon, "the blocked ls on /metrics");
                Assert.True(Daemon.Sum(metrics, "nfswatch_blocked_threads", "signature=\"fuse-server-not-answering\"", "cause=\"no_reply_from_server\"", "server=\"none\"") >= 1);
                // It is not NFS: the NFS-only gauge does not count it.
                Assert.Equal(0, Daemon.Sum(metrics, "nfswatch_nfs_blocked_threads"));
            }
            finally { hang.Dispose(); }
        }
        await daemon.WaitForMetricsAsync(m => Daemon.Sum(m, "nfswatch_blocked_threads") == 0, Soon, "the gauge to return to 0");
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
    }
}
