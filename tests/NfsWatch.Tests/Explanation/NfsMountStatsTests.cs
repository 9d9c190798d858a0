using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// /proc/PID/mountstats (fs/nfs/super.c nfs_show_stats, net/sunrpc/stats.c rpc_clnt_show_stats, the xprt lines of
/// net/sunrpc/xprtsock.c): per NFS mount, operations, transmissions and timeouts summed over the per-op lines, and
/// the transport's sends and backlog.
/// </summary>
public class NfsMountStatsTests
{
    // In the layout of statvers=1.1: tabs before each field, per-op lines right-aligned to 12 characters, 9 numbers
    // each (OPS TRANS TIMEOUTS BYTES_SENT BYTES_RECV QUEUE RTT EXECUTE ERRORS).
    internal const string Sample =
        "device proc mounted on /proc with fstype proc\n" +
        "device sysfs mounted on /sys with fstype sysfs\n" +
        "device 10.0.1.9:/ mounted on /mnt/efs with fstype nfs4 statvers=1.1\n" +
        "\topts:\trw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.1.20,local_lock=none\n" +
        "\tage:\t3600\n" +
        "\timpl_id:\tname='',domain='',date='0,0'\n" +
        "\tcaps:\tcaps=0x3ffbffff,wtmult=512,dtsize=32768,bsize=0,namlen=255\n" +
        "\tnfsv4:\tbm0=0xfdffbfff,bm1=0xf9be3e,bm2=0x68800,acl=0x3,sessions,pnfs=not configured,lease_time=90,lease_expired=0\n" +
        "\tsec:\tflavor=1,pseudoflavor=1\n" +
        "\tevents:\t52 1203 0 0 40 23 1345 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" +
        "\tbytes:\t1024 2048 0 0 512 1024 1 1\n" +
        "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n" +
        "\txprt:\ttcp 0 1 1 0 12 150 148 0 300 20 2 0 0\n" +
        "\tper-op statistics\n" +
        "\t        NULL: 1 1 0 44 24 0 0 0 0\n" +
        "\t        READ: 10 12 1 1600 10240 5 30 40 0\n" +
        "\t       WRITE: 5 5 0 2560 800 1 20 22 0\n" +
        "\t     GETATTR: 100 103 2 17600 26000 9 50 65 0\n" +
        "\n" +
        "device tmpfs mounted on /run with fstype tmpfs\n" +
        "device srv:/export/my\\040share mounted on /mnt/my\\040share with fstype nfs statvers=1.1\n" +
        "\topts:\trw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,proto=udp,timeo=11,retrans=3,sec=sys,mountaddr=10.0.1.5,mountvers=3,mountport=20048,mountproto=udp,local_lock=none\n" +
        "\tage:\t120\n" +
        "\tcaps:\tcaps=0x3fc7,wtmult=512,dtsize=8192,bsize=0,namlen=255\n" +
        "\tsec:\tflavor=1,pseudoflavor=1\n" +
        "\tevents:\t0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" +
        "\tbytes:\t0 0 0 0 0 0 0 0\n" +
        "\tRPC iostats version: 1.1  p/v: 100003/3 (nfs)\n" +
        "\txprt:\tudp 0 1 70 69 0 140 7 2 0 0\n" +
        "\tper-op statistics\n" +
        "\t        NULL: 0 0 0 0 0 0 0 0 0\n" +
        "\t     GETATTR: 60 66 6 6600 6240 3 200 250 0\n" +
        "\t      LOOKUP: 4 4 0 512 480 0 5 6 1\n" +
        "\n" +
        "device overlay mounted on /var/lib/docker/overlay2/abc/merged with fstype overlay\n";

    private static List<NfsMountStats> Parse(string text) => NfsMountStats.ParseAll(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ParseAllReadsTheNfsMounts()
    {
        var have = Parse(Sample);

        Assert.Equal(2, have.Count);

        var efs = have[0];
        Assert.Equal(("10.0.1.9:/", "/mnt/efs", "nfs4"), (efs.Source, efs.MountPoint, efs.FsType));
        Assert.StartsWith("rw,vers=4.1,rsize=1048576,", efs.Options, StringComparison.Ordinal);
        Assert.EndsWith("local_lock=none", efs.Options, StringComparison.Ordinal);
        Assert.Equal(116ul, efs.Operations); // 1 + 10 + 5 + 100
        Assert.Equal(121ul, efs.Transmissions); // 1 + 12 + 5 + 103
        Assert.Equal(3ul, efs.Timeouts);
        Assert.Equal(5ul, efs.Retransmissions);
        // tcp: port bind_count connect_count connect_time idle_time SENDS recvs bad_xids req_u BKLOG_U ...
        Assert.Equal((150ul, 20ul), (efs.Sends, efs.BacklogSum));

        var v3 = have[1];
        Assert.Equal(("srv:/export/my share", "/mnt/my share", "nfs"), (v3.Source, v3.MountPoint, v3.FsType));
        Assert.Contains("proto=udp", v3.Options, StringComparison.Ordinal);
        Assert.Equal((64ul, 70ul, 6ul, 6ul), (v3.Operations, v3.Transmissions, v3.Timeouts, v3.Retransmissions));
        // udp: port bind_count SENDS recvs bad_xids req_u BKLOG_U ...
        Assert.Equal((70ul, 7ul), (v3.Sends, v3.BacklogSum));
    }

    [Fact]
    public void NonNfsMountsAreSkipped()
    {
        Assert.Empty(Parse(
            "device proc mounted on /proc with fstype proc\n" +
            "device nfsd mounted on /proc/fs/nfsd with fstype nfsd\n" +
            "device rpc_pipefs mounted on /run/rpc_pipefs with fstype rpc_pipefs\n" +
            "\tper-op statistics\n" +
            "\t     GETATTR: 100 103 2 17600 26000 9 50 65 0\n"));
    }

    [Fact]
    public void MountWithoutStatisticsHasZeros()
    {
        var have = Assert.Single(Parse("device 10.0.1.9:/ mounted on /mnt/efs with fstype nfs4 statvers=1.1\n"));

        Assert.Equal(new NfsMountStats("10.0.1.9:/", "/mnt/efs", "nfs4", "", 0, 0, 0, 0, 0), have);
        Assert.Equal(0ul, have.Retransmissions);
    }

    [Fact]
    public void RetransmissionsAreNeverNegative()
    {
        var have = Assert.Single(Parse(
            "device s:/ mounted on /m with fstype nfs4 statvers=1.1\n" +
            "\tper-op statistics\n" +
            "\t     GETATTR: 10 9 0 0 0 0 0 0 0\n"));

        Assert.Equal(0ul, have.Retransmissions);
    }

    [Fact]
    public void LinesWithColonsBeforePerOpStatisticsAreNotOperations()
    {
        var have = Assert.Single(Parse(
            "device s:/ mounted on /m with fstype nfs4 statvers=1.1\n" +
            "\tage:\t3600\n" +
            "\tevents:\t52 1203 0 0 40 23 1345 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" +
            "\tbytes:\t1024 2048 0 0 512 1024 1 1\n"));

        Assert.Equal((0ul, 0ul, 0ul), (have.Operations, have.Transmissions, have.Timeouts));
    }

    [Fact]
    public void ShortXprtLineIsIgnored()
    {
        var have = Assert.Single(Parse(
            "device s:/ mounted on /m with fstype nfs4 statvers=1.1\n" +
            "\txprt:\ttcp 0 1 1 0 12 150\n"));

        Assert.Equal((0ul, 0ul), (have.Sends, have.BacklogSum));
    }

    // net/sunrpc/stats.c rpc_clnt_show_stats prints one xprt line per transport
    // (rpc_clnt_iterate_for_each_xprt): nconnect=N gives N of them.
    [Fact]
    public void EveryTransportCounts()
    {
        var have = Assert.Single(Parse(
            "device s:/ mounted on /m with fstype nfs4 statvers=1.1\n" +
            "\topts:\trw,vers=4.2,nconnect=2,proto=tcp\n" +
            "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n" +
            "\txprt:\ttcp 801 1 1 0 0 100 100 0 100 10 0 0 0\n" +
            "\txprt:\ttcp 802 1 1 0 0 50 50 0 50 5 0 0 0\n" +
            "\tper-op statistics\n"));

        Assert.Equal((150ul, 15ul), (have.Sends, have.BacklogSum));
    }

    [Fact]
    public void TruncatedInputNeverThrows()
    {
        byte[] sample = Encoding.UTF8.GetBytes(Sample);
        for (int n = 0; n <= sample.Length; n++)
        {
            var have = NfsMountStats.ParseAll(sample.AsSpan(0, n));
            Assert.True(have.Count <= 2);
        }
    }

    [Fact]
    public void TruncatedPerOpLineCountsNothing()
    {
        var have = Assert.Single(Parse(
            "device s:/ mounted on /m with fstype nfs4 statvers=1.1\n" +
            "\tper-op statistics\n" +
            "\t     GETATTR: 100 103 2 17600 26000 9 50 65 0\n" +
            "\t        READ: 10 1"));

        Assert.Equal((100ul, 103ul, 2ul), (have.Operations, have.Transmissions, have.Timeouts));
    }

    [Fact]
    public void GarbageNeverThrows()
    {
        var random = new Random(1234);
        byte[] sample = Encoding.UTF8.GetBytes(Sample);
        for (int n = 0; n < 500; n++)
        {
            byte[] input = (byte[])sample.Clone();
            for (int k = random.Next(1, 20); k > 0; k--) input[random.Next(input.Length)] = (byte)random.Next(256);
            NfsMountStats.ParseAll(input);
        }
    }

    // Found by HostileInputTests: where " mounted on " overlaps "device " or " with fstype ", the source or the
    // mount point ran backwards (ArgumentOutOfRangeException). The kernel prints neither line.
    [Theory]
    [InlineData("device mounted on /m with fstype nfs4 statvers=1.1\n")]
    [InlineData("device s:/ mounted on with fstype nfs4 statvers=1.1\n")]
    public void DeviceLinesWhoseFieldsOverlapAreSkipped(string text) => Assert.Empty(Parse(text));

    // An empty source or mount point is two spaces in a row, as the kernel prints it.
    [Theory]
    [InlineData("device  mounted on /m with fstype nfs4 statvers=1.1\n", "", "/m")]
    [InlineData("device s:/ mounted on  with fstype nfs4 statvers=1.1\n", "s:/", "")]
    public void EmptySourceOrMountPoint(string text, string source, string mountPoint)
    {
        var have = Assert.Single(Parse(text));
        Assert.Equal((source, mountPoint), (have.Source, have.MountPoint));
    }

    [Fact]
    public void EmptyIsEmpty()
    {
        Assert.Empty(Parse(""));
        Assert.Empty(Parse("\n\n"));
    }
}
