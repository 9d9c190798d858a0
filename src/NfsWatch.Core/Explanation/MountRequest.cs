using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Explanation;

/// <summary>What a stuck call asked the kernel to do, as far as its arguments tell.</summary>
public sealed record MountRequest(string? FsType, string? Source, string? Target, string? Options, string? How)
{
    /// <summary>True when read from the system call itself (the kernel then applies its defaults), false for a helper's command line.</summary>
    public bool FromCall { get; init; } = true;

    /// <summary>For a thread blocked in a file system call: the path of the file its call names, under <see cref="Target"/>.</summary>
    public string? Path { get; init; }

    /// <summary>The mount's device number "major:minor" (mountinfo), when the request was matched to a mount: a FUSE connection's id is its minor.</summary>
    public string? Device { get; init; }

    // mount(2) flags (include/uapi/linux/mount.h).
    private const ulong MS_REMOUNT = 32, MS_BIND = 4096, MS_MOVE = 8192;
    // MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED: a propagation change ignores fstype and data.
    private const ulong MS_PROPAGATION = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
    private const ulong FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1;

    /// <summary>A string argument to read: its index among the six registers and what it means.</summary>
    public readonly record struct StringArgument(int Index, string Meaning);

    /// <summary>Which arguments of <paramref name="syscall"/> are strings worth reading (man 2 mount, fsconfig, ...).</summary>
    public static IReadOnlyList<StringArgument> StringArguments(string syscall, in SyscallArgs args) => syscall switch
    {
        "mount" => [new(0, "source"), new(1, "target"), new(2, "fstype"), new(4, "data")],
        "umount2" => [new(0, "target")],
        "fsopen" => [new(0, "fstype")],
        "fsconfig" when args[1] == FSCONFIG_SET_STRING => [new(2, "key"), new(3, "value")],
        "fsconfig" when args[1] == FSCONFIG_SET_FLAG => [new(2, "key")],
        "open_tree" or "fspick" or "mount_setattr" => [new(1, "target")],
        "move_mount" => [new(1, "source"), new(3, "target")],
        _ => [],
    };

    /// <summary>Builds the request from the strings read (null where unreadable), keyed by meaning.</summary>
    public static MountRequest From(string syscall, in SyscallArgs args, IReadOnlyDictionary<string, string?> strings)
    {
        string? Get(string meaning) => strings.TryGetValue(meaning, out var v) ? v : null;
        switch (syscall)
        {
            case "mount":
            {
                ulong flags = args[3];
                // In the order fs/namespace.c path_mount tests them: remount+bind (reconfigure a bind mount's
                // flags), remount, bind, move.
                string? how = (flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND) ? "bind remount"
                    : (flags & MS_REMOUNT) != 0 ? "remount" : (flags & MS_BIND) != 0 ? "bind"
                    : (flags & MS_PROPAGATION) != 0 ? "propagation change" : (flags & MS_MOVE) != 0 ? "move" : null;
                // For bind and move mounts the kernel ignores fstype and data; they are often garbage pointers.
                bool plain = how is null or "remount";
                return new MountRequest(plain ? Get("fstype") : null, Get("source"), Get("target"), plain ? NfsOptions.Redact(Get("data")) : null, how);
            }
            case "fsconfig":
            {
                string? key = Get("key");
                if (key == "source") return new MountRequest(null, Get("value"), null, null, null);
                // fsconfig(2) passes one value: a comma in a secret is part of it, not the start of another option.
                string? option = key is null ? null : args[1] != FSCONFIG_SET_STRING ? key
                    : NfsOptions.IsSecret(key) ? $"{key}=***" : $"{key}={Get("value")}";
                return new MountRequest(null, null, null, NfsOptions.Redact(option), null);
            }
            default:
                return new MountRequest(Get("fstype"), Get("source"), Get("target"), null, null);
        }
    }

    /// <summary>
    /// Text from a user-space string: printable UTF-8, else null (mount data can be a binary struct, such
    /// as the legacy nfs_mount_data of old mount programs).
    /// </summary>
    public static string? Text(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0) return bytes is null ? null : "";
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
        return text.Any(char.IsControl) ? null : text;
    }
}
