using System.Text;
using NfsWatch.Core.KernelLog;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// /dev/kmsg records, "PRI,SEQ,TIMESTAMP_US,FLAGS[,...];MESSAGE" (Documentation/ABI/testing/dev-kmsg), and the NFS and
/// hung-task lines among them.
/// </summary>
public class KernelLogEventTests
{
    private static KernelLogEvent? Parse(string record) => KernelLogEvent.TryParse(Encoding.UTF8.GetBytes(record));

    [Theory]
    [InlineData("4,1234,5678901,-;nfs: server 127.0.0.1 not responding, still trying", KernelLogEvent.ServerNotResponding, "127.0.0.1", 0, 5.678901)]
    [InlineData("4,1235,5678902,-;nfs: server 127.0.0.1 not responding, timed out", KernelLogEvent.ServerNotResponding, "127.0.0.1", 0, 5.678902)]
    [InlineData("6,1236,5679000,-;nfs: server 127.0.0.1 OK", KernelLogEvent.ServerOk, "127.0.0.1", 0, 5.679)]
    [InlineData("4,7,8123456789,-;nfs: server fs-0123abcd.efs.eu-west-1.amazonaws.com not responding, still trying", KernelLogEvent.ServerNotResponding, "fs-0123abcd.efs.eu-west-1.amazonaws.com", 0, 8123.456789)]
    [InlineData("4,8,1000000,-;nfs: server fd00::1 not responding, still trying", KernelLogEvent.ServerNotResponding, "fd00::1", 0, 1.0)]
    [InlineData("3,99,130000000,-;INFO: task mount.nfs4:4711 blocked for more than 120 seconds.", KernelLogEvent.HungTask, null, 4711, 130.0)]
    // The command name may contain ':' (kworker/u4:1): the thread id is after the last one.
    [InlineData("3,100,131000000,-;INFO: task kworker/u4:1:123 blocked for more than 122 seconds.", KernelLogEvent.HungTask, null, 123, 131.0)]
    [InlineData("3,101,131000001,-;INFO: task a:b:c:9 blocked for more than 1 seconds.", KernelLogEvent.HungTask, null, 9, 131.000001)]
    // Continuation-capable records (flags 'c', '+'), extra header fields, a trailing newline, trailing blanks.
    [InlineData("4,1237,5680000,c;nfs: server 10.0.1.9 OK", KernelLogEvent.ServerOk, "10.0.1.9", 0, 5.68)]
    [InlineData("4,1238,5680001,-,caller=T123;nfs: server 10.0.1.9 OK", KernelLogEvent.ServerOk, "10.0.1.9", 0, 5.680001)]
    [InlineData("4,1239,5680002,-;nfs: server 10.0.1.9 OK\n", KernelLogEvent.ServerOk, "10.0.1.9", 0, 5.680002)]
    [InlineData("4,1240,5680003,-;nfs: server 10.0.1.9 OK  \t", KernelLogEvent.ServerOk, "10.0.1.9", 0, 5.680003)]
    [InlineData("4,1241,0,-;nfs: server 10.0.1.9 OK", KernelLogEvent.ServerOk, "10.0.1.9", 0, 0.0)]
    // The record's dictionary lines after the first newline are not part of the message.
    [InlineData("3,102,132000000,-;INFO: task mount.nfs:77 blocked for more than 120 seconds.\n SUBSYSTEM=x\n", KernelLogEvent.HungTask, null, 77, 132.0)]
    public void TryParse(string record, string want, string? server, int pid, double seconds)
    {
        var have = Parse(record);

        Assert.NotNull(have);
        Assert.Equal((want, server, pid), (have.Event, have.Server, have.Pid));
        Assert.Equal(seconds, have.Seconds, precision: 6);
        Assert.Equal(record[(record.IndexOf(';') + 1)..].Split('\n')[0].TrimEnd(), have.Message);
    }

    [Theory]
    // A header that does not parse gives no timestamp but still the event.
    [InlineData("4,1234,abc,-;nfs: server 127.0.0.1 OK")]
    [InlineData("4,1234,5678901;nfs: server 127.0.0.1 OK")]
    [InlineData("4;nfs: server 127.0.0.1 OK")]
    [InlineData(";nfs: server 127.0.0.1 OK")]
    [InlineData("4,1234,-5,-;nfs: server 127.0.0.1 OK")]
    public void TryParseWithoutATimestamp(string record)
    {
        var have = Parse(record);

        Assert.Equal((KernelLogEvent.ServerOk, "127.0.0.1", 0.0), (have?.Event, have?.Server, have?.Seconds));
    }

    [Theory]
    [InlineData("6,1,0,-;Linux version 6.1.0-56-amd64")]
    [InlineData("6,2,100,-;NFS: Registering the id_resolver key type")]
    [InlineData("4,3,100,-;nfs: server")]
    [InlineData("4,3,100,-;nfs: server 127.0.0.1")]
    [InlineData("4,4,100,-;nfs: server 127.0.0.1 is fine")]
    [InlineData("4,5,100,-;nfs: server  not responding, still trying")]
    [InlineData("4,6,100,-;NFS: server 127.0.0.1 not responding")]
    [InlineData("4,7,100,-; nfs: server 127.0.0.1 OK")]
    [InlineData("4,8,100,-;lockd: server 127.0.0.1 not responding, still trying")]
    [InlineData("3,9,100,-;INFO: task mount.nfs4:4711")]
    [InlineData("3,10,100,-;INFO: task mount.nfs4 blocked for more than 120 seconds.")]
    [InlineData("3,11,100,-;INFO: task mount.nfs4:x blocked for more than 120 seconds.")]
    [InlineData("3,12,100,-;INFO: task mount.nfs4:99999999999 blocked for more than 120 seconds.")]
    [InlineData("3,13,100,-;      Not tainted 6.1.0-56-amd64 #1 Debian 6.1.140-1")]
    [InlineData("3,14,100,-;\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.")]
    [InlineData("3,15,100,-;")]
    // Continuation and dictionary lines of a record (" KEY=VALUE"), which /dev/kmsg returns after the message.
    [InlineData(" SUBSYSTEM=net")]
    [InlineData(" DEVICE=+net:eth0")]
    // No ';' at all.
    [InlineData("nfs: server 127.0.0.1 OK")]
    [InlineData("INFO: task mount.nfs4:4711 blocked for more than 120 seconds.")]
    [InlineData("4,1234,5678901,-")]
    [InlineData("")]
    public void TryParseOfOtherLinesIsNull(string record)
    {
        Assert.Null(Parse(record));
    }

    // kernel/hung_task.c prints task->comm, which prctl(PR_SET_NAME, "") can make empty.
    [Fact]
    public void HungTaskWithAnEmptyCommandName()
    {
        Assert.Equal(4711, Parse("3,99,130000000,-;INFO: task :4711 blocked for more than 120 seconds.")?.Pid);
    }

    [Fact]
    public void HungTaskLineWithoutATaskDoesNotThrow()
    {
        Assert.Null(Parse("3,99,130000000,-;INFO: task blocked for more than 120 seconds."));
        Assert.Null(KernelLogEvent.TryParseMessage("INFO: task blocked for more than 1", 0));
    }

    [Fact]
    public void InvalidUtf8InTheMessageDoesNotThrow()
    {
        byte[] record = [.. "4,1,1000000,-;nfs: server "u8, 0xff, 0xfe, .. " OK"u8];

        var have = KernelLogEvent.TryParse(record);

        Assert.Equal(KernelLogEvent.ServerOk, have?.Event);
    }

    [Fact]
    public void TryParseMessageUsesTheGivenTime()
    {
        var have = KernelLogEvent.TryParseMessage("nfs: server 10.0.1.9 not responding, still trying", 42.5);

        Assert.Equal(new KernelLogEvent(KernelLogEvent.ServerNotResponding, "10.0.1.9", 0, 42.5, "nfs: server 10.0.1.9 not responding, still trying"), have);
    }

    [Fact]
    public void HostileBytesNeverThrow()
    {
        var random = new Random(1234);
        byte[][] pieces =
        [
            "4,1234,5678901,-;"u8.ToArray(), ";"u8.ToArray(), ","u8.ToArray(), "\n"u8.ToArray(), " "u8.ToArray(), ":"u8.ToArray(),
            "nfs: server "u8.ToArray(), " not responding"u8.ToArray(), " OK"u8.ToArray(), "INFO: task "u8.ToArray(),
            " blocked for more than "u8.ToArray(), "4711"u8.ToArray(), "18446744073709551615"u8.ToArray(), [0xff], [0], [0xc3],
        ];
        for (int n = 0; n < 2000; n++)
        {
            byte[] input;
            if (n % 2 == 0)
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
            }
            else
            {
                var parts = new List<byte>();
                for (int k = random.Next(0, 8); k > 0; k--) parts.AddRange(pieces[random.Next(pieces.Length)]);
                input = [.. parts];
            }
            try
            {
                KernelLogEvent.TryParse(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"input #{n} {Convert.ToHexString(input)}: {e}");
            }
        }
    }
}
