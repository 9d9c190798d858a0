using System.Text;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// Which arguments of a mount-family system call are strings (man 2 mount, fsopen, fsconfig, move_mount ...),
/// and what the strings read from them say.
/// </summary>
public class MountRequestTests
{
    // include/uapi/linux/mount.h
    private const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_REMOUNT = 32, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384;
    private const ulong FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_SET_BINARY = 2, FSCONFIG_CMD_CREATE = 6;

    private static SyscallArgs Args(params ulong[] values)
    {
        var args = new SyscallArgs();
        for (int i = 0; i < values.Length; i++) args[i] = values[i];
        return args;
    }

    private static string Describe(string syscall, SyscallArgs args) =>
        string.Join(" ", MountRequest.StringArguments(syscall, args).Select(a => $"{a.Index}:{a.Meaning}"));

    [Theory]
    // mount(source, target, filesystemtype, mountflags, data)
    [InlineData("mount", 0ul, "0:source 1:target 2:fstype 4:data")]
    [InlineData("umount2", 0ul, "0:target")]
    [InlineData("fsopen", 0ul, "0:fstype")]
    // fsconfig(fd, cmd, key, value, aux): the key is a string for every SET_* command, the value for SET_STRING.
    [InlineData("fsconfig", FSCONFIG_SET_STRING, "2:key 3:value")]
    [InlineData("fsconfig", FSCONFIG_SET_FLAG, "2:key")]
    [InlineData("fsconfig", FSCONFIG_CMD_CREATE, "")]
    [InlineData("fsconfig", FSCONFIG_SET_BINARY, "")]
    // open_tree(dfd, path, flags), fspick(dfd, path, flags), mount_setattr(dfd, path, flags, attr, size)
    [InlineData("open_tree", 0ul, "1:target")]
    [InlineData("fspick", 0ul, "1:target")]
    [InlineData("mount_setattr", 0ul, "1:target")]
    // move_mount(from_dfd, from_path, to_dfd, to_path, flags)
    [InlineData("move_mount", 0ul, "1:source 3:target")]
    [InlineData("fsmount", 0ul, "")]
    [InlineData("newfstatat", 0ul, "")]
    [InlineData("", 0ul, "")]
    public void StringArguments(string syscall, ulong arg1, string want)
    {
        Assert.Equal(want, Describe(syscall, Args(0x1000, arg1, 0x2000, 0x3000, 0x4000)));
    }

    [Fact]
    public void MountPlainKeepsFsTypeAndRedactedData()
    {
        var strings = new Dictionary<string, string?>
        {
            ["source"] = "10.0.1.5:/export", ["target"] = "/mnt/x", ["fstype"] = "nfs4",
            ["data"] = "vers=4.1,addr=10.0.1.5,password=hunter2",
        };

        var have = MountRequest.From("mount", Args(1, 2, 3, MS_NOSUID | MS_RDONLY, 5), strings);

        Assert.Equal(new MountRequest("nfs4", "10.0.1.5:/export", "/mnt/x", "vers=4.1,addr=10.0.1.5,password=***", null), have);
    }

    [Theory]
    [InlineData(MS_BIND, "bind")]
    [InlineData(MS_BIND | MS_REC, "bind")]
    [InlineData(MS_MOVE, "move")]
    // MS_BIND|MS_REMOUNT changes a bind mount's per-mount flags (do_reconfigure_mnt); fstype and data are ignored.
    [InlineData(MS_BIND | MS_REMOUNT, "bind remount")]
    public void MountBindAndMoveDropFsTypeAndData(ulong flags, string how)
    {
        var strings = new Dictionary<string, string?>
        {
            ["source"] = "/srv/a", ["target"] = "/srv/b", ["fstype"] = "\u00e9garbage", ["data"] = "password=x",
        };

        var have = MountRequest.From("mount", Args(1, 2, 3, flags, 5), strings);

        Assert.Equal(new MountRequest(null, "/srv/a", "/srv/b", null, how), have);
    }

    [Fact]
    public void MountRemountKeepsFsTypeAndData()
    {
        var strings = new Dictionary<string, string?>
        {
            ["source"] = "srv:/e", ["target"] = "/mnt/e", ["fstype"] = "nfs", ["data"] = "soft,timeo=50,secret=s",
        };

        var have = MountRequest.From("mount", Args(1, 2, 3, MS_REMOUNT | MS_RDONLY, 5), strings);

        Assert.Equal(new MountRequest("nfs", "srv:/e", "/mnt/e", "soft,timeo=50,secret=***", "remount"), have);
    }

    // fs/namespace.c path_mount tests MS_REMOUNT before MS_MOVE: mount(2) with both is a remount.
    [Fact]
    public void MountRemountWithMoveIsARemount()
    {
        var strings = new Dictionary<string, string?> { ["target"] = "/mnt/e", ["fstype"] = "nfs", ["data"] = "soft" };

        var have = MountRequest.From("mount", Args(1, 2, 3, MS_REMOUNT | MS_MOVE, 5), strings);

        Assert.Equal(("remount", "soft"), (have.How, have.Options));
    }

    [Fact]
    public void MountWithUnreadableStrings()
    {
        var strings = new Dictionary<string, string?> { ["source"] = null, ["target"] = "/mnt/x" };

        var have = MountRequest.From("mount", Args(0, 2, 0, 0, 0), strings);

        Assert.Equal(new MountRequest(null, null, "/mnt/x", null, null), have);
    }

    [Fact]
    public void FsconfigSourceIsTheSource()
    {
        var strings = new Dictionary<string, string?> { ["key"] = "source", ["value"] = "10.0.1.5:/export" };

        var have = MountRequest.From("fsconfig", Args(3, FSCONFIG_SET_STRING, 2, 3, 0), strings);

        Assert.Equal(new MountRequest(null, "10.0.1.5:/export", null, null, null), have);
    }

    [Theory]
    [InlineData(FSCONFIG_SET_STRING, "vers", "4.1", "vers=4.1")]
    [InlineData(FSCONFIG_SET_STRING, "addr", "10.0.1.5", "addr=10.0.1.5")]
    [InlineData(FSCONFIG_SET_STRING, "password", "hunter2", "password=***")]
    // The value is one string, commas and all: splitting "password=hunt,er2" as mount(2) data showed "er2"
    // (found by HostileInputTests).
    [InlineData(FSCONFIG_SET_STRING, "password", "hunt,er2", "password=***")]
    [InlineData(FSCONFIG_SET_STRING, "Password", "a,vers=4.1,b", "Password=***")]
    [InlineData(FSCONFIG_SET_STRING, "cred", "a,,b", "cred=***")]
    [InlineData(FSCONFIG_SET_FLAG, "ro", null, "ro")]
    [InlineData(FSCONFIG_SET_FLAG, "hard", null, "hard")]
    public void FsconfigOption(ulong cmd, string key, string? value, string want)
    {
        var strings = new Dictionary<string, string?> { ["key"] = key };
        if (value is not null) strings["value"] = value;

        var have = MountRequest.From("fsconfig", Args(3, cmd, 2, 3, 0), strings);

        Assert.Equal(new MountRequest(null, null, null, want, null), have);
    }

    [Fact]
    public void FsconfigWithUnreadableKeyTellsNothing()
    {
        var have = MountRequest.From("fsconfig", Args(3, FSCONFIG_SET_STRING, 2, 3, 0), new Dictionary<string, string?> { ["key"] = null });

        Assert.Equal(new MountRequest(null, null, null, null, null), have);
    }

    [Fact]
    public void FsopenGivesTheFsType()
    {
        var have = MountRequest.From("fsopen", Args(1, 0), new Dictionary<string, string?> { ["fstype"] = "nfs4" });

        Assert.Equal(new MountRequest("nfs4", null, null, null, null), have);
    }

    [Fact]
    public void Umount2GivesTheTarget()
    {
        var have = MountRequest.From("umount2", Args(1, 2), new Dictionary<string, string?> { ["target"] = "/mnt/efs" });

        Assert.Equal(new MountRequest(null, null, "/mnt/efs", null, null), have);
    }

    [Fact]
    public void MoveMountGivesSourceAndTargetFromArguments1And3()
    {
        var args = Args(0xffffff9c, 0x1000, 0xffffff9c, 0x2000, 0);
        var wanted = MountRequest.StringArguments("move_mount", args);
        // What the reader returns for each wanted argument, keyed by its meaning.
        var memory = new Dictionary<ulong, string> { [0x1000] = "/tmp/staging", [0x2000] = "/mnt/efs" };
        var strings = wanted.ToDictionary(a => a.Meaning, a => (string?)memory[args[a.Index]]);

        var have = MountRequest.From("move_mount", args, strings);

        Assert.Equal(new MountRequest(null, "/tmp/staging", "/mnt/efs", null, null), have);
    }

    [Fact]
    public void StringArgumentsAndFromAgreeForMount()
    {
        var args = Args(0x10, 0x20, 0x30, 0, 0x50);
        var memory = new Dictionary<ulong, string> { [0x10] = "srv:/x", [0x20] = "/mnt/x", [0x30] = "nfs", [0x50] = "vers=3" };
        var strings = MountRequest.StringArguments("mount", args).ToDictionary(a => a.Meaning, a => (string?)memory[args[a.Index]]);

        Assert.Equal(new MountRequest("nfs", "srv:/x", "/mnt/x", "vers=3", null), MountRequest.From("mount", args, strings));
    }

    [Theory]
    [InlineData("vers=4.1,addr=10.0.1.5", "vers=4.1,addr=10.0.1.5")]
    [InlineData("/mnt/caf\u00e9 \u65e5\u672c", "/mnt/caf\u00e9 \u65e5\u672c")]
    [InlineData("", "")]
    public void TextOfPrintableUtf8(string text, string want)
    {
        Assert.Equal(want, MountRequest.Text(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    // The legacy binary nfs_mount_data struct starts with a version number: NULs and control bytes.
    [InlineData(new byte[] { 6, 0, 0, 0, 3, 0, 0, 0 })]
    [InlineData(new byte[] { (byte)'a', (byte)'\n', (byte)'b' })]
    [InlineData(new byte[] { (byte)'a', (byte)'\t' })]
    [InlineData(new byte[] { 0x7f })]
    [InlineData(new byte[] { 0xc2, 0x85 })] // U+0085, a C1 control
    // Invalid UTF-8.
    [InlineData(new byte[] { 0xff, 0xfe, (byte)'a' })]
    [InlineData(new byte[] { (byte)'a', 0xc3 })]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })] // an encoded surrogate
    public void TextOfBinaryIsNull(byte[] bytes)
    {
        Assert.Null(MountRequest.Text(bytes));
    }

    [Fact]
    public void TextOfNullIsNull()
    {
        Assert.Null(MountRequest.Text(null));
    }
}
