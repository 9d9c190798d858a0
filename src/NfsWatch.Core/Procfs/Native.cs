using System.Runtime.InteropServices;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// The few libc calls the proc reader needs. Going through open/read/getdents64 directly keeps a scan of
/// tens of thousands of threads free of per-file string and handle allocations.
/// </summary>
internal static unsafe partial class Native
{
    public const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, SEEK_END = 2;

    /// <summary>
    /// O_DIRECTORY differs by architecture: 0200000 on x86 (where 040000 is O_DIRECT), 040000 on arm and
    /// arm64 (asm-generic and arm's fcntl.h, where 0200000 is O_DIRECT, which makes getdents64 fail with EINVAL).
    /// </summary>
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    // open(2) is variadic only in its third argument, which is never passed here.
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "pread64", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    public static partial nint ReadLink(byte* path, byte* buffer, nint size);

    // glibc >= 2.30 exports getdents64 (bookworm ships 2.36).
    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "sysconf", SetLastError = true)]
    public static partial long SysConf(int name);

    public const int _SC_CLK_TCK = 2;
}
