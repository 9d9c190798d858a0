using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/PID/mountinfo: fields (1)-(11) of proc(5), optional fields up to " - ", octal-escaped paths.</summary>
public class MountInfoTests
{
    private const string ManPageLine = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue";

    private const string EfsLine =
        "700 29 0:52 / /mnt/efs rw,relatime shared:400 - nfs4 fs-1234.efs.eu-west-1.amazonaws.com:/ " +
        "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys," +
        "clientaddr=10.0.1.5,local_lock=none,addr=10.0.1.9";

    // This machine (6.18): the first lines of /proc/self/mountinfo.
    private const string RealMountInfo =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n" +
        "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n" +
        "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,nr_inodes=3083615,mode=755\n" +
        "25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684084k\n" +
        "26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n" +
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534\n" +
        "28 27 0:25 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755\n";

    // This machine: tmpfs mounts in a private namespace, made shared and slave, on paths with a space, a tab,
    // a backslash and a newline, one with the source "my src".
    private const string RealEscapedMountInfo =
        "63 43 0:39 / /tmp/mi-test/a rw,relatime shared:1 - tmpfs src rw\n" +
        "64 43 0:39 / /tmp/mi-test/b rw,relatime shared:2 master:1 - tmpfs src rw\n" +
        "65 63 0:40 / /tmp/mi-test/a/with\\040space rw,relatime shared:3 - tmpfs my\\040src rw\n" +
        "66 64 0:40 / /tmp/mi-test/b/with\\040space rw,relatime shared:4 master:3 - tmpfs my\\040src rw\n" +
        "67 63 0:41 / /tmp/mi-test/a/tab\\011x rw,relatime shared:5 - tmpfs t rw\n" +
        "69 63 0:42 / /tmp/mi-test/a/back\\134slash rw,relatime shared:7 - tmpfs t rw\n" +
        "71 63 0:43 / /tmp/mi-test/a/nl\\012y rw,relatime shared:9 - tmpfs t rw\n" +
        "75 43 0:40 / /tmp/mi-test/c ro,relatime shared:3 - tmpfs my\\040src rw\n";

    [Fact]
    public void TryParse_ManPageExample()
    {
        var have = Parse(ManPageLine);
        Assert.Equal(36, have.MountId);
        Assert.Equal(35, have.ParentId);
        Assert.Equal(98u, have.Major);
        Assert.Equal(0u, have.Minor);
        Assert.Equal("/mnt1", have.Root);
        Assert.Equal("/mnt2", have.MountPoint);
        Assert.Equal("rw,noatime", have.MountOptions);
        Assert.Equal(new[] { "master:1" }, have.OptionalFields);
        Assert.Equal("ext3", have.FsType);
        Assert.Equal("/dev/root", have.Source);
        Assert.Equal("rw,errors=continue", have.SuperOptions);
    }

    [Fact]
    public void TryParse_EfsNfsLine()
    {
        var have = Parse(EfsLine + "\n");
        Assert.Equal(700, have.MountId);
        Assert.Equal(29, have.ParentId);
        Assert.Equal(0u, have.Major);
        Assert.Equal(52u, have.Minor);
        Assert.Equal("/", have.Root);
        Assert.Equal("/mnt/efs", have.MountPoint);
        Assert.Equal("rw,relatime", have.MountOptions);
        Assert.Equal(new[] { "shared:400" }, have.OptionalFields);
        Assert.Equal("nfs4", have.FsType);
        Assert.Equal("fs-1234.efs.eu-west-1.amazonaws.com:/", have.Source);
        Assert.Equal(
            "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys," +
            "clientaddr=10.0.1.5,local_lock=none,addr=10.0.1.9", have.SuperOptions);
    }

    public static TheoryData<string, string[]> OptionalFieldLines => new()
    {
        { "22 27 0:21 / /proc rw,relatime - proc proc rw", [] },
        { "63 43 0:39 / /tmp/mi-test/a rw,relatime shared:1 - tmpfs src rw", ["shared:1"] },
        { "64 43 0:39 / /tmp/mi-test/b rw,relatime shared:2 master:1 - tmpfs src rw", ["shared:2", "master:1"] },
        { "1 2 3:4 / /x rw shared:1 master:2 propagate_from:3 - ext4 /dev/sda1 rw", ["shared:1", "master:2", "propagate_from:3"] },
        { "1 2 3:4 / /x rw unbindable - ext4 /dev/sda1 rw", ["unbindable"] },
        { "1 2 3:4 / /x rw a b c d e f g h - ext4 /dev/sda1 rw", ["a", "b", "c", "d", "e", "f", "g", "h"] },
        // A source of "-" (mount -t tmpfs - /x): the first "-" after field 6 is the separator.
        { "1 2 3:4 / /x rw shared:5 - tmpfs - rw", ["shared:5"] },
    };

    [Theory]
    [MemberData(nameof(OptionalFieldLines))]
    public void TryParse_OptionalFields(string line, string[] want)
    {
        var have = Parse(line);
        Assert.Equal(want, have.OptionalFields);
        Assert.Equal(line.Split(" - ")[1].Split(' ')[0], have.FsType);
    }

    [Fact]
    public void TryParse_DashSource()
    {
        var have = Parse("1 2 3:4 / /x rw shared:5 - tmpfs - rw");
        Assert.Equal("tmpfs", have.FsType);
        Assert.Equal("-", have.Source);
        Assert.Equal("rw", have.SuperOptions);
    }

    [Theory]
    [InlineData("1 2 3:4 / /mnt/with\\040space rw - ext4 /dev/sda1 rw", "/", "/mnt/with space", "/dev/sda1")]
    [InlineData("1 2 3:4 / /mnt/tab\\011x rw - ext4 /dev/sda1 rw", "/", "/mnt/tab\tx", "/dev/sda1")]
    [InlineData("1 2 3:4 / /mnt/nl\\012y rw - ext4 /dev/sda1 rw", "/", "/mnt/nl\ny", "/dev/sda1")]
    [InlineData("1 2 3:4 / /mnt/back\\134slash rw - ext4 /dev/sda1 rw", "/", "/mnt/back\\slash", "/dev/sda1")]
    [InlineData("1 2 3:4 / /mnt/hash\\043 rw - ext4 /dev/sda1 rw", "/", "/mnt/hash#", "/dev/sda1")]
    [InlineData("1 2 3:4 /sub\\040dir /mnt/a\\040b\\011c\\012d\\134e rw - ext4 /dev/sda1 rw", "/sub dir", "/mnt/a b\tc\nd\\e", "/dev/sda1")]
    [InlineData("64 43 0:40 / /tmp/x rw - tmpfs a\\040b\\043c\\134d rw", "/", "/tmp/x", "a b#c\\d")]     // this machine
    [InlineData("1 2 3:4 / /mnt/caf\\303\\251 rw - ext4 /dev/sda1 rw", "/", "/mnt/caf\u00e9", "/dev/sda1")] // UTF-8 octets
    [InlineData("1 2 3:4 / /mnt/caf\u00e9 rw - ext4 /dev/sda1 rw", "/", "/mnt/caf\u00e9", "/dev/sda1")]     // raw UTF-8
    public void TryParse_EscapedPaths(string line, string wantRoot, string wantMountPoint, string wantSource)
    {
        var bytes = ProcText.Utf8(line);
        Assert.True(MountInfo.TryParse(bytes, out var have, out string? error), error);
        Assert.Equal(wantRoot, have.Root);
        Assert.Equal(wantMountPoint, have.MountPoint);
        Assert.Equal(wantSource, have.Source);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("/mnt/with\\040space", "/mnt/with space")]
    [InlineData("\\011", "\t")]
    [InlineData("\\012", "\n")]
    [InlineData("\\134", "\\")]
    [InlineData("\\134040", "\\040")]           // an escaped backslash is not the start of another escape
    [InlineData("\\040\\040", "  ")]
    [InlineData("\\000", "\0")]
    [InlineData("\\377", "\ufffd")]              // byte 0xFF, invalid UTF-8 on its own
    [InlineData("\\303\\251", "\u00e9")]
    [InlineData("\\400", "\\400")]               // above 255: kept as written
    [InlineData("\\777", "\\777")]
    [InlineData("\\08x", "\\08x")]               // 8 is not octal
    [InlineData("\\04", "\\04")]                 // too short
    [InlineData("\\0", "\\0")]
    [InlineData("\\", "\\")]
    [InlineData("end\\", "end\\")]
    [InlineData("end\\04", "end\\04")]
    [InlineData("\\\\040", "\\ ")]
    [InlineData("a\\040", "a ")]                 // escape at the very end
    public void Unescape(string field, string want)
    {
        Assert.Equal(want, MountInfo.Unescape(ProcText.Latin1(field)));
    }

    [Fact]
    public void Unescape_InvalidUtf8IsReplaced()
    {
        Assert.Equal("a\ufffdb", MountInfo.Unescape([(byte)'a', 0xff, (byte)'b']));
        Assert.Equal("a\ufffdb", MountInfo.Unescape([(byte)'a', 0xff, (byte)'\\', (byte)'1', (byte)'4', (byte)'2']));
    }

    [Theory]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime", "too few fields")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1", "too few fields")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 -", "too few fields")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3", "too few fields")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime - ext3", "too few fields")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw,errors=continue", "no \" - \" separator")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 -- ext3 /dev/root rw", "no \" - \" separator")]
    [InlineData("36 35 98:0 - /mnt2 rw,noatime master:1 ext3 /dev/root rw", "no \" - \" separator")]
    [InlineData("x 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 y 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 98 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 98: /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 :0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 a:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 98:-1 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 98:0:1 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("36 35 4294967296:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    [InlineData("99999999999 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", "bad mount id, parent id or major:minor")]
    public void TryParse_Failures(string line, string wantProblem)
    {
        var bytes = ProcText.Latin1(line);
        Assert.False(MountInfo.TryParse(bytes, out var have, out string? error));
        Assert.Null(have);
        Assert.NotNull(error);
        Assert.StartsWith("mountinfo: ", error);
        Assert.Contains(wantProblem, error);
        Assert.Contains(line, error);                                  // short lines are quoted whole
    }

    [Fact]
    public void TryParse_TruncatedLongLineQuotesItsStart()
    {
        var line = ProcText.Latin1("700 29 0:52 / /mnt/" + new string('e', 300) + " rw,relatime shared:400 -");
        Assert.False(MountInfo.TryParse(line, out _, out string? error));
        Assert.StartsWith("mountinfo: too few fields or no \" - \" separator: \"700 29 0:52 / /mnt/eee", error);
        Assert.EndsWith($" (+{line.Length - 120} bytes)", error);
    }

    public static TheoryData<string> ShortLines => new()
    {
        "",
        "\t",
        "36",
        "36 35 98:0",
        "36 35 98:0 /mnt1 /mnt2",
        "700 29 0:52 / /mnt/e",
    };

    [Theory]
    [MemberData(nameof(ShortLines))]
    public void TryParse_FewerThanSixFields(string line)
    {
        Assert.False(MountInfo.TryParse(ProcText.Latin1(line), out _, out string? error));
        Assert.StartsWith("mountinfo: too few fields", error);
    }

    // This machine, in a private mount namespace: mount -t tmpfs "" /tmp/emptysrc (then --make-shared). The kernel
    // prints the empty source as an empty field: "- tmpfs  rw", two spaces.
    [Theory]
    [InlineData("63 43 0:39 / /tmp/emptysrc rw,relatime - tmpfs  rw", new string[0])]
    [InlineData("63 43 0:39 / /tmp/emptysrc rw,relatime shared:1 - tmpfs  rw", new[] { "shared:1" })]
    public void TryParse_EmptySource(string line, string[] wantOptional)
    {
        var have = Parse(line);
        Assert.Equal(wantOptional, have.OptionalFields);
        Assert.Equal("tmpfs", have.FsType);
        Assert.Equal("", have.Source);
        Assert.Equal("rw", have.SuperOptions);
    }

    [Fact]
    public void ParseAll_RealFile()
    {
        var errors = new List<string>();
        var have = MountInfo.ParseAll(ProcText.Latin1(RealMountInfo), errors);
        Assert.Empty(errors);
        Assert.Equal(new[] { 22, 23, 24, 25, 26, 27, 28 }, have.Select(m => m.MountId));
        Assert.Equal(new[] { "/proc", "/sys", "/dev", "/dev/shm", "/dev/pts", "/", "/mnt/sandboxing/model_tools_env/v1/python" },
            have.Select(m => m.MountPoint));
        Assert.Equal(new[] { "proc", "sysfs", "devtmpfs", "tmpfs", "devpts", "ext4", "tmpfs" }, have.Select(m => m.FsType));
        Assert.All(have, m => Assert.Empty(m.OptionalFields));
        Assert.Equal(254u, have[5].Major);
        Assert.Equal("/dev/vda", have[5].Source);
        Assert.Equal("ro,size=4k,mode=755", have[6].SuperOptions);
    }

    [Fact]
    public void ParseAll_RealEscapedFile()
    {
        var errors = new List<string>();
        var have = MountInfo.ParseAll(ProcText.Latin1(RealEscapedMountInfo), errors);
        Assert.Empty(errors);
        string[] wantMountPoints =
        [
            "/tmp/mi-test/a", "/tmp/mi-test/b", "/tmp/mi-test/a/with space", "/tmp/mi-test/b/with space",
            "/tmp/mi-test/a/tab\tx", "/tmp/mi-test/a/back\\slash", "/tmp/mi-test/a/nl\ny", "/tmp/mi-test/c",
        ];
        Assert.Equal(wantMountPoints, have.Select(m => m.MountPoint));
        Assert.Equal(new[] { "shared:2", "master:1" }, have[1].OptionalFields);
        Assert.Equal("my src", have[2].Source);
        Assert.Equal(new[] { "shared:4", "master:3" }, have[3].OptionalFields);
        Assert.Equal("ro,relatime", have[7].MountOptions);
    }

    [Fact]
    public void ParseAll_SkipsEmptyLinesAndReportsBadOnes()
    {
        var text =
            "\n" +
            ManPageLine + "\n" +
            "   \n" +
            "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw\n" +      // no separator
            "\n\n" +
            "x 29 0:52 / /mnt/bad rw,relatime shared:400 - nfs4 server:/ rw\n" +  // bad id
            EfsLine + "\n" +
            "\n";
        var errors = new List<string>();
        var have = MountInfo.ParseAll(ProcText.Latin1(text), errors);
        Assert.Equal(new[] { "/mnt2", "/mnt/efs" }, have.Select(m => m.MountPoint));
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("mountinfo: too few fields or no \" - \" separator: \"36 35 98:0 /mnt1", errors[0]);
        Assert.StartsWith("mountinfo: bad mount id, parent id or major:minor: \"x 29 0:52 / /mnt/bad", errors[1]);
    }

    [Fact]
    public void ParseAll_WithoutErrorListStillSkipsBadLines()
    {
        var have = MountInfo.ParseAll(ProcText.Latin1("garbage line one two three four five six seven\n" + ManPageLine));
        Assert.Single(have);
        Assert.Equal("/dev/root", have[0].Source);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\n\n\n")]
    [InlineData("   \n  \n")]
    public void ParseAll_EmptyInput(string text)
    {
        var errors = new List<string>();
        Assert.Empty(MountInfo.ParseAll(ProcText.Latin1(text), errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void ParseAll_LastLineWithoutNewline()
    {
        var have = MountInfo.ParseAll(ProcText.Latin1(ManPageLine + "\n" + EfsLine));
        Assert.Equal(2, have.Count);
        Assert.Equal("addr=10.0.1.9", have[1].SuperOptions.Split(',')[^1]);
    }

    [Fact]
    public void ParseAll_FileCutMidLine()
    {
        var errors = new List<string>();
        var have = MountInfo.ParseAll(ProcText.Latin1(RealMountInfo + "29 27 0:26 / /de"), errors);
        Assert.Equal(7, have.Count);
        Assert.Single(errors);
    }

    [Fact]
    public void ParseAll_FileCutMidLineAfterSixFields()
    {
        var errors = new List<string>();
        var have = MountInfo.ParseAll(ProcText.Latin1(RealMountInfo + "29 27 0:26 / /dev/mqueue rw,rel"), errors);
        Assert.Equal(7, have.Count);
        Assert.Single(errors);
        Assert.StartsWith("mountinfo: too few fields", errors[0]);
    }

    private static readonly byte[][] Seeds =
    [
        ProcText.Latin1(ManPageLine + "\n"),
        ProcText.Latin1(EfsLine + "\n"),
        ProcText.Latin1("64 43 0:39 / /tmp/mi-test/b\\040x\\134 rw,relatime shared:2 master:1 - tmpfs my\\040src rw\n"),
    ];

    [Fact]
    public void TryParse_HostileInput_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(Seeds), CheckTryParse);
    }

    [Fact]
    public void ParseAll_HostileInput_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(Seeds), CheckParseAll);
    }

    // The same property on the inputs the bug above does not reach, so the rest of the parser stays covered.
    [Fact]
    public void TryParse_HostileInputOfSixFieldsOrMore_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(Seeds).Where(i => CountFields(i) >= 6), CheckTryParse, minCount: 1000);
    }

    [Fact]
    public void ParseAll_HostileInputOfSixFieldsOrMorePerLine_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(Seeds).Where(EveryLineHasSixFields), CheckParseAll, minCount: 1000);
    }

    [Fact]
    public void Unescape_HostileInput_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(Seeds), input =>
        {
            string have = MountInfo.Unescape(input);
            if (input.AsSpan().IndexOf((byte)'\\') < 0) Assert.Equal(System.Text.Encoding.UTF8.GetString(input), have);
        });
    }

    private static void CheckTryParse(byte[] input)
    {
        bool ok = MountInfo.TryParse(input, out var mount, out string? error);
        HostileInputs.AssertContract(ok, error, "mountinfo");
        if (ok)
        {
            Assert.NotNull(mount);
            Assert.DoesNotContain("-", mount.OptionalFields);
        }
    }

    private static void CheckParseAll(byte[] input)
    {
        var errors = new List<string>();
        var mounts = MountInfo.ParseAll(input, errors);
        Assert.All(errors, e => Assert.StartsWith("mountinfo: ", e));
        Assert.True(mounts.Count + errors.Count <= input.Count(b => b == '\n') + 1);
    }

    private static int CountFields(ReadOnlySpan<byte> line)
    {
        int n = 0;
        foreach (var _ in new SpaceTokens(line)) n++;
        return n;
    }

    private static bool EveryLineHasSixFields(byte[] input)
    {
        ReadOnlySpan<byte> text = input;
        while (!text.IsEmpty)
        {
            int nl = text.IndexOf((byte)'\n');
            var line = nl < 0 ? text : text[..nl];
            text = nl < 0 ? default : text[(nl + 1)..];
            if (!line.Trim((byte)' ').IsEmpty && CountFields(line) < 6) return false;
        }
        return true;
    }

    private static MountInfo Parse(string line)
    {
        var bytes = ProcText.Latin1(line);
        Assert.True(MountInfo.TryParse(bytes, out var mount, out string? error), error);
        Assert.Null(error);
        return mount;
    }
}
