namespace NfsWatch.Core.Detection;

/// <summary>What one argument of a system call refers to, so that a blocked thread can be tied to a mount.</summary>
public enum PathArgument { None, Path, DirFdAndPath, Fd }

/// <summary>A system call NfsWatch can name: its name and which argument leads to a file.</summary>
public readonly record struct SyscallInfo(string Name, PathArgument Kind, int Index);

/// <summary>
/// Names of the file-related system calls a thread blocked on NFS is usually in, per architecture
/// (arch/x86/entry/syscalls/syscall_64.tbl; include/uapi/asm-generic/unistd.h for arm64). Others are
/// reported by number.
/// </summary>
public static class SyscallTable
{
    private static readonly Dictionary<int, SyscallInfo> X86_64 = Build(
        (0, "read", PathArgument.Fd, 0), (1, "write", PathArgument.Fd, 0), (2, "open", PathArgument.Path, 0),
        (3, "close", PathArgument.Fd, 0), (4, "stat", PathArgument.Path, 0), (5, "fstat", PathArgument.Fd, 0),
        (6, "lstat", PathArgument.Path, 0), (8, "lseek", PathArgument.Fd, 0), (9, "mmap", PathArgument.None, 0),
        (16, "ioctl", PathArgument.Fd, 0), (17, "pread64", PathArgument.Fd, 0), (18, "pwrite64", PathArgument.Fd, 0),
        (19, "readv", PathArgument.Fd, 0), (20, "writev", PathArgument.Fd, 0), (21, "access", PathArgument.Path, 0),
        (40, "sendfile", PathArgument.Fd, 1), (59, "execve", PathArgument.Path, 0), (61, "wait4", PathArgument.None, 0),
        (72, "fcntl", PathArgument.Fd, 0), (73, "flock", PathArgument.Fd, 0), (74, "fsync", PathArgument.Fd, 0),
        (75, "fdatasync", PathArgument.Fd, 0), (76, "truncate", PathArgument.Path, 0), (77, "ftruncate", PathArgument.Fd, 0),
        (78, "getdents", PathArgument.Fd, 0), (79, "getcwd", PathArgument.None, 0), (80, "chdir", PathArgument.Path, 0),
        (82, "rename", PathArgument.Path, 0), (83, "mkdir", PathArgument.Path, 0), (84, "rmdir", PathArgument.Path, 0),
        (85, "creat", PathArgument.Path, 0), (86, "link", PathArgument.Path, 0), (87, "unlink", PathArgument.Path, 0),
        (88, "symlink", PathArgument.Path, 1), (89, "readlink", PathArgument.Path, 0), (90, "chmod", PathArgument.Path, 0),
        (92, "chown", PathArgument.Path, 0), (137, "statfs", PathArgument.Path, 0), (138, "fstatfs", PathArgument.Fd, 0),
        (162, "sync", PathArgument.None, 0), (187, "readahead", PathArgument.Fd, 0), (202, "futex", PathArgument.None, 0),
        (217, "getdents64", PathArgument.Fd, 0), (231, "exit_group", PathArgument.None, 0), (257, "openat", PathArgument.DirFdAndPath, 1),
        (258, "mkdirat", PathArgument.DirFdAndPath, 1), (260, "fchownat", PathArgument.DirFdAndPath, 1),
        (262, "newfstatat", PathArgument.DirFdAndPath, 1), (263, "unlinkat", PathArgument.DirFdAndPath, 1),
        (264, "renameat", PathArgument.DirFdAndPath, 1), (267, "readlinkat", PathArgument.DirFdAndPath, 1),
        (268, "fchmodat", PathArgument.DirFdAndPath, 1), (269, "faccessat", PathArgument.DirFdAndPath, 1),
        (285, "fallocate", PathArgument.Fd, 0), (306, "syncfs", PathArgument.Fd, 0), (316, "renameat2", PathArgument.DirFdAndPath, 1),
        (322, "execveat", PathArgument.DirFdAndPath, 1), (332, "statx", PathArgument.DirFdAndPath, 1),
        (437, "openat2", PathArgument.DirFdAndPath, 1), (439, "faccessat2", PathArgument.DirFdAndPath, 1));

    private static readonly Dictionary<int, SyscallInfo> Generic = Build(
        (17, "getcwd", PathArgument.None, 0), (25, "fcntl", PathArgument.Fd, 0), (29, "ioctl", PathArgument.Fd, 0),
        (32, "flock", PathArgument.Fd, 0), (34, "mkdirat", PathArgument.DirFdAndPath, 1), (35, "unlinkat", PathArgument.DirFdAndPath, 1),
        (38, "renameat", PathArgument.DirFdAndPath, 1), (43, "statfs", PathArgument.Path, 0), (44, "fstatfs", PathArgument.Fd, 0),
        (45, "truncate", PathArgument.Path, 0), (46, "ftruncate", PathArgument.Fd, 0), (47, "fallocate", PathArgument.Fd, 0),
        (48, "faccessat", PathArgument.DirFdAndPath, 1), (49, "chdir", PathArgument.Path, 0), (56, "openat", PathArgument.DirFdAndPath, 1),
        (57, "close", PathArgument.Fd, 0), (61, "getdents64", PathArgument.Fd, 0), (62, "lseek", PathArgument.Fd, 0),
        (63, "read", PathArgument.Fd, 0), (64, "write", PathArgument.Fd, 0), (65, "readv", PathArgument.Fd, 0),
        (66, "writev", PathArgument.Fd, 0), (67, "pread64", PathArgument.Fd, 0), (68, "pwrite64", PathArgument.Fd, 0),
        (78, "readlinkat", PathArgument.DirFdAndPath, 1), (79, "newfstatat", PathArgument.DirFdAndPath, 1),
        (80, "fstat", PathArgument.Fd, 0), (81, "sync", PathArgument.None, 0), (82, "fsync", PathArgument.Fd, 0),
        (83, "fdatasync", PathArgument.Fd, 0), (94, "exit_group", PathArgument.None, 0), (98, "futex", PathArgument.None, 0),
        (215, "munmap", PathArgument.None, 0), (221, "execve", PathArgument.Path, 0), (222, "mmap", PathArgument.None, 0),
        (260, "wait4", PathArgument.None, 0), (267, "syncfs", PathArgument.Fd, 0), (276, "renameat2", PathArgument.DirFdAndPath, 1),
        (291, "statx", PathArgument.DirFdAndPath, 1), (437, "openat2", PathArgument.DirFdAndPath, 1),
        (439, "faccessat2", PathArgument.DirFdAndPath, 1));

    public static SyscallInfo? Find(string machine, int number)
    {
        var table = machine switch
        {
            "x86_64" => X86_64,
            "aarch64" or "arm64" or "riscv64" or "loongarch64" => Generic,
            _ => null, // ppc64le, s390x, 32-bit: other numbers; better no name than a wrong one
        };
        return table is not null && table.TryGetValue(number, out var info) ? info : null;
    }

    /// <summary>A name for any number: the table's, or "syscall_N".</summary>
    public static string Name(string machine, int number) =>
        Find(machine, number)?.Name ?? IdleName(machine, number) ?? $"syscall_{number}";

    /// <summary>The idle waits (sleeps, polls, waits for children) are named too: a process blocked while it exits still shows the call it slept in.</summary>
    private static string? IdleName(string machine, int number)
    {
        foreach (var (n, name) in MountSyscalls.ForMachine(machine).IdleWaits)
            if (n == number) return name;
        return null;
    }

    private static Dictionary<int, SyscallInfo> Build(params (int Nr, string Name, PathArgument Kind, int Index)[] entries) =>
        entries.ToDictionary(e => e.Nr, e => new SyscallInfo(e.Name, e.Kind, e.Index));
}
