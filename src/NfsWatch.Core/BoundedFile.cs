using System.Runtime.InteropServices;

namespace NfsWatch.Core;

/// <summary>A file NfsWatch will not read, and why ("is a FIFO, not a regular file").</summary>
public sealed class FileRefusedException(string reason) : Exception(reason);

/// <summary>
/// Reads a small file that someone else may control (a configuration or signature file, the daemon's hand-over
/// file in a directory its service user owns) without trusting it: opened without blocking (a FIFO would block
/// open(2) and read(2) for ever), checked to be a regular file on the open descriptor (not the path, which may
/// change in between), optionally not through a symbolic link, and read up to a size cap (/dev/zero never ends).
/// </summary>
public static unsafe partial class BoundedFile
{
    private const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    // asm-generic and arm64: 0100000; x86: 0400000.
    private static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    private const int AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100, STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_UID = 0x8, STATX_MTIME = 0x40, STATX_SIZE = 0x200;
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000;
    private const int ELOOP = 40, ENOENT = 2, EACCES = 13, EPERM = 1, EISDIR = 21;

    /// <summary>What was read, whose file it is, and when it was last written.</summary>
    public readonly record struct Contents(byte[] Bytes, uint OwnerUid, DateTimeOffset Modified);

    /// <summary>The owner of <paramref name="path"/> itself (a link is not followed), or null when it cannot be told.</summary>
    public static uint? OwnerOf(string path)
    {
        var stat = new byte[256];
        fixed (byte* s = stat)
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
            return Statx(-100, p, AT_SYMLINK_NOFOLLOW, STATX_UID, s) == 0 ? BitConverter.ToUInt32(stat, 20) : null;
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; throws <see cref="FileRefusedException"/> with the reason, without the path.</summary>
    /// <param name="followLinks">False: a symbolic link at <paramref name="path"/> is refused (O_NOFOLLOW).</param>
    public static Contents Read(string path, int maxBytes, bool followLinks = true)
    {
        int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW);
        int fd;
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0")) fd = Open(p, flags);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new FileRefusedException(errno switch
            {
                ENOENT => "no such file",
                EACCES or EPERM => "permission denied",
                ELOOP when !followLinks => "is a symbolic link; only a regular file is read",
                EISDIR => "is a directory, not a regular file",
                _ => $"cannot open it (errno {errno})",
            });
        }
        try
        {
            var stat = new byte[256];
            fixed (byte* s = stat)
            fixed (byte* empty = "\0"u8)
                if (Statx(fd, empty, AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_UID | STATX_SIZE | STATX_MTIME, s) != 0)
                    throw new FileRefusedException($"cannot stat it (errno {Marshal.GetLastPInvokeError()})");
            int mode = BitConverter.ToUInt16(stat, 28);
            uint uid = BitConverter.ToUInt32(stat, 20);
            if ((mode & S_IFMT) != S_IFREG)
                throw new FileRefusedException($"is {KindOf(mode)}, not a regular file");
            ulong size = BitConverter.ToUInt64(stat, 40);
            if (size > (ulong)maxBytes) throw new FileRefusedException($"is {size} bytes, larger than the {Describe(maxBytes)} NfsWatch reads");
            // The size can change while it is read: read one byte more than the cap to notice.
            var buffer = new byte[Math.Min(maxBytes, (int)size) + 1];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > maxBytes) throw new FileRefusedException($"is larger than the {Describe(maxBytes)} NfsWatch reads");
                    Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
                }
                nint n;
                fixed (byte* b = &buffer[total]) n = ReadFd(fd, b, buffer.Length - total);
                if (n < 0) throw new FileRefusedException($"cannot read it (errno {Marshal.GetLastPInvokeError()})");
                if (n == 0) break;
                total += (int)n;
            }
            // struct statx: stx_mtime at 112, { __s64 tv_sec; __u32 tv_nsec; }.
            long seconds = BitConverter.ToInt64(stat, 112);
            var modified = seconds is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.UnixEpoch;
            return new Contents(buffer.AsSpan(0, total).ToArray(), uid, modified);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>The bytes without a UTF-8 byte order mark, which editors on other systems put at the start of a file.</summary>
    public static ReadOnlyMemory<byte> WithoutBom(byte[] bytes) =>
        bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsMemory(3) : bytes;

    private static string KindOf(int mode) => (mode & S_IFMT) switch
    {
        S_IFIFO => "a FIFO",
        S_IFCHR => "a character device",
        S_IFBLK => "a block device",
        S_IFDIR => "a directory",
        S_IFSOCK => "a socket",
        S_IFLNK => "a symbolic link",
        _ => "not a regular file",
    };

    private static string Describe(int bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    // glibc 2.28 and later; the layout of struct statx is the same on every architecture.
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirfd, byte* path, int flags, int mask, byte* statx);
}
