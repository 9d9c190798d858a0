using System.Text;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// A mount helper's /proc/PID/cmdline (NUL-separated argv): "mount.nfs4 SERVER:/PATH DIR [-o OPTIONS] [-s -r -v -w -n -f]"
/// as util-linux mount(8) runs it (mount.nfs(8)), and amazon-efs-utils' "mount.efs fs-12345678:/ DIR -o tls".
/// </summary>
public class HelperCommandLineTests
{
    private static byte[] Argv(string nulSeparated) => Encoding.UTF8.GetBytes(nulSeparated);

    [Theory]
    [InlineData("mount.nfs4\0server:/path\0/mnt\0-o\0vers=4.1,hard\0", "nfs4", "server:/path", "/mnt", "vers=4.1,hard")]
    [InlineData("/sbin/mount.nfs\0srv:/x\0/m\0-s\0-o\0nfsvers=3\0", "nfs", "srv:/x", "/m", "nfsvers=3")]
    [InlineData("/usr/sbin/mount.nfs4\0srv:/\0/mnt/b\0-v\0-w\0-n\0-f\0-o\0rw\0", "nfs4", "srv:/", "/mnt/b", "rw")]
    // getopt's joined form.
    [InlineData("mount.nfs4\0server:/path\0/mnt\0-overs=4.1\0", "nfs4", "server:/path", "/mnt", "vers=4.1")]
    // Several -o: mount.nfs joins them with ','.
    [InlineData("mount.nfs4\0s:/\0/m\0-o\0hard\0-o\0vers=4.1\0", "nfs4", "s:/", "/m", "hard,vers=4.1")]
    [InlineData("mount.nfs\0s:/\0/m\0-o\0hard\0-o\0timeo=50\0-o\0vers=3\0", "nfs", "s:/", "/m", "hard,timeo=50,vers=3")]
    // Options before the positional arguments.
    [InlineData("mount.nfs4\0-o\0vers=4.2\0s:/e\0/m\0", "nfs4", "s:/e", "/m", "vers=4.2")]
    // amazon-efs-utils.
    [InlineData("mount.efs\0fs-1234:/\0/mnt/efs\0-o\0tls\0", "nfs4", "fs-1234:/", "/mnt/efs", "tls")]
    [InlineData("/sbin/mount.efs\0fs-1234:/\0/mnt/efs\0", "nfs4", "fs-1234:/", "/mnt/efs", null)]
    // No options; no trailing NUL; a dangling -o.
    [InlineData("mount.nfs4\0s:/\0/m\0", "nfs4", "s:/", "/m", null)]
    [InlineData("mount.nfs4\0s:/\0/m", "nfs4", "s:/", "/m", null)]
    [InlineData("mount.nfs4\0s:/\0/m\0-o\0", "nfs4", "s:/", "/m", null)]
    // Paths with spaces are single arguments.
    [InlineData("mount.nfs\0srv:/my share\0/mnt/my share\0", "nfs", "srv:/my share", "/mnt/my share", null)]
    public void Parse(string argv, string fstype, string source, string target, string? options)
    {
        var have = HelperCommandLine.Parse(Argv(argv));

        Assert.NotNull(have);
        // From a command line, not from the call: the kernel's defaults do not apply (mount.nfs negotiates).
        Assert.Equal(new MountRequest(fstype, source, target, options, null) { FromCall = false }, have);
    }

    // mount.nfs (nfs-utils utils/mount/mount.c) appends each -o to the options so far, joined or not.
    [Fact]
    public void ParseJoinedOAfterSeparateOAppends()
    {
        var have = HelperCommandLine.Parse(Argv("mount.nfs4\0s:/\0/m\0-o\0hard\0-overs=4.1\0"));

        Assert.Equal("hard,vers=4.1", have?.Options);
    }

    // Found by HostileInputTests: each -o copied all the options so far, so a command line of the 64 KiB the
    // isolated reader returns, made of short -o arguments, allocated about 0.5 GB. Checks the class of algorithm
    // (allocation linear in the input), not speed.
    [Fact]
    public void ManyOptionsAreJoinedInLinearAllocation()
    {
        var argv = new List<byte>(Argv("mount.nfs4\0s:/\0/m"));
        int count = 0;
        for (; argv.Count + 6 <= 65536; count++) argv.AddRange(Argv("\0-oa=1"));
        byte[] cmdline = [.. argv];
        HelperCommandLine.Parse(Argv("mount.nfs4\0s:/\0/m\0-oa=1\0")); // JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        var have = HelperCommandLine.Parse(cmdline);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(string.Join(',', Enumerable.Repeat("a=1", count)), have?.Options);
        Assert.True(allocated < 64L * cmdline.Length, $"{allocated} bytes allocated for a {cmdline.Length}-byte command line");
    }

    [Theory]
    [InlineData("bash\0-c\0x\0")]
    [InlineData("mount\0-t\0nfs4\0srv:/\0/mnt\0")]
    [InlineData("/usr/bin/mount.cifs\0//srv/share\0/mnt\0-o\0password=x\0")]
    [InlineData("mount.nfs4x\0s:/\0/m\0")]
    // Too few arguments.
    [InlineData("mount.nfs4\0s:/\0")]
    [InlineData("mount.nfs4\0")]
    [InlineData("mount.nfs4\0-o\0vers=4.1\0s:/\0")]
    [InlineData("mount.nfs4\0s:/\0-o\0vers=4.1\0-s\0")]
    [InlineData("")]
    [InlineData("\0\0\0")]
    public void ParseNotAHelperOrTooFewArguments(string argv)
    {
        Assert.Null(HelperCommandLine.Parse(Argv(argv)));
    }

    [Fact]
    public void ParseRedactsSecrets()
    {
        var have = HelperCommandLine.Parse(Argv("mount.nfs4\0s:/\0/m\0-o\0vers=4.1,password=hunter2,sec=krb5\0"));

        Assert.Equal("vers=4.1,password=***,sec=krb5", have?.Options);
        Assert.DoesNotContain("hunter2", have!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOfInvalidUtf8DoesNotThrow()
    {
        byte[] argv = [.. Argv("mount.nfs4\0srv:/"), 0xff, 0xfe, .. Argv("\0/mnt\0")];

        var have = HelperCommandLine.Parse(argv);

        Assert.Equal(("nfs4", "/mnt"), (have?.FsType, have?.Target));
    }

    [Theory]
    [InlineData("mount.nfs4\0server:/path\0/mnt\0", "mount.nfs4")]
    [InlineData("/sbin/mount.nfs\0srv:/x\0/m\0", "mount.nfs")]
    [InlineData("/usr/sbin/mount.efs\0fs-1:/\0/mnt/efs\0", "mount.efs")]
    [InlineData("mount.nfs4", "mount.nfs4")]
    // The name alone, without the arguments Parse needs.
    [InlineData("mount.nfs4\0", "mount.nfs4")]
    [InlineData("bash\0-c\0mount.nfs4\0", null)]
    [InlineData("/bin/mount\0-t\0nfs\0", null)]
    [InlineData("", null)]
    [InlineData("\0mount.nfs4\0", null)]
    public void HelperName(string argv, string? want)
    {
        Assert.Equal(want, HelperCommandLine.HelperName(Argv(argv)));
    }

    [Theory]
    [InlineData("mount.nfs", true)]
    [InlineData("mount.nfs4", true)]
    [InlineData("mount.efs", true)]
    [InlineData("mount", false)]
    [InlineData("mount.cifs", false)]
    [InlineData("dockerd", false)]
    public void IsHelper(string comm, bool want)
    {
        Assert.Equal(want, HelperCommandLine.IsHelper(comm));
    }
}
