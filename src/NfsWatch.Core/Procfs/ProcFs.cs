using System.Buffers.Binary;
using System.Text;

namespace NfsWatch.Core.Procfs;

/// <summary>The per-thread files NfsWatch reads (proc(5), /proc/pid/task/tid/...).</summary>
public enum ThreadFile { Stat, Syscall, Wchan, Stack, Sched }

/// <summary>
/// The proc filesystem rooted at a path (default <c>/proc</c>; tests point it at fixture trees). Every read
/// of proc goes through this type. Reads never trust the size proc reports: they fill a caller's buffer,
/// growing it up to a cap, and allocate nothing per file.
/// </summary>
/// <remarks>
/// Only files that do not take the target's mmap_lock are read here: stat, syscall, wchan, stack, sched,
/// mountinfo. Never cmdline, environ or mem, which read the target's memory through access_remote_vm
/// (fs/proc/base.c) and so wait for its mmap_lock (docs/how-it-works.md, "What is never read").
/// </remarks>
public sealed unsafe class ProcFs
{
    /// <summary>Largest proc file read whole; a longer one is cut there (prometheus/procfs uses the same cap).</summary>
    public const int DefaultMaxFileSize = 1 << 20;

    private static readonly byte[][] ThreadFileNames =
        [.. new[] { "stat", "syscall", "wchan", "stack", "sched" }.Select(Encoding.ASCII.GetBytes)];

    private readonly byte[] _root;

    public ProcFs(string root = "/proc")
    {
        if (string.IsNullOrEmpty(root)) throw new ArgumentException("the procfs root must not be empty", nameof(root));
        Root = root.Length > 1 ? root.TrimEnd('/') : root;
        _root = Encoding.UTF8.GetBytes(Root);
    }

    public string Root { get; }

    /// <summary>The clock ticks per second that stat's time fields count in (sysconf(_SC_CLK_TCK)).</summary>
    public static long ClockTicksPerSecond { get; } = Math.Max(1, Native.SysConf(Native._SC_CLK_TCK) is > 0 and var t ? t : 100);

    /// <summary>Lists the numeric entries of the root (process ids); other names are skipped.</summary>
    public ProcReadResult TryListProcesses(List<int> into)
    {
        Span<byte> path = stackalloc byte[_root.Length + 2];
        _root.CopyTo(path);
        path[_root.Length] = 0;
        return ListNumericEntries(path[..(_root.Length + 1)], into);
    }

    /// <summary>Lists the thread ids of a process (ROOT/PID/task). A vanished process is <see cref="ProcReadStatus.Vanished"/>.</summary>
    public ProcReadResult TryListThreads(int pid, List<int> into)
    {
        Span<byte> path = stackalloc byte[_root.Length + 32];
        int n = AppendRoot(path);
        n = AppendNumber(path, n, pid);
        n = AppendText(path, n, "/task"u8);
        path[n] = 0;
        return ListNumericEntries(path[..(n + 1)], into);
    }

    /// <summary>Reads ROOT/PID/task/TID/FILE into <paramref name="buffer"/> (grown when needed, up to the cap).</summary>
    public ProcReadResult TryReadThreadFile(int pid, int tid, ThreadFile file, ref byte[] buffer)
    {
        Span<byte> path = stackalloc byte[_root.Length + 48];
        int n = AppendRoot(path);
        n = AppendNumber(path, n, pid);
        n = AppendText(path, n, "/task"u8);
        n = AppendNumber(path, n, tid);
        path[n++] = (byte)'/';
        n = AppendText(path, n, ThreadFileNames[(int)file]);
        path[n] = 0;
        return ReadWhole(path[..(n + 1)], ref buffer, DefaultMaxFileSize);
    }

    /// <summary>Reads ROOT/RELATIVE, for example <c>uptime</c> or <c>self/mountinfo</c>.</summary>
    public ProcReadResult TryReadFile(string relative, ref byte[] buffer, int maxSize = DefaultMaxFileSize)
    {
        byte[] rel = Encoding.UTF8.GetBytes(relative);
        var path = new byte[_root.Length + 1 + rel.Length + 1];
        int n = AppendRoot(path);
        path[n++] = (byte)'/';
        n = AppendText(path, n, rel);
        path[n] = 0;
        return ReadWhole(path, ref buffer, maxSize);
    }

    /// <summary>Reads a whole file as text (lossy UTF-8), or null when it cannot be read.</summary>
    public string? TryReadText(string relative, out ProcReadResult result, int maxSize = DefaultMaxFileSize)
    {
        byte[] buffer = new byte[4096];
        result = TryReadFile(relative, ref buffer, maxSize);
        return result.IsOk ? Encoding.UTF8.GetString(buffer, 0, result.Length) : null;
    }

    /// <summary>
    /// Reads a NUL-terminated string at <paramref name="address"/> of process <paramref name="pid"/> through
    /// ROOT/PID/mem. DANGER: this takes the target's mmap_lock and blocks for as long as the target's address
    /// space is wedged (fs/proc/base.c: mem_rw, access_remote_vm). Call it only from an isolated child process that
    /// can be killed at a deadline (Isolation/IsolatedReader); never from the scanning process.
    /// </summary>
    public ProcReadResult TryReadMemoryString(int pid, ulong address, ref byte[] buffer, int maxLength = 4096)
    {
        if (address == 0 || address > long.MaxValue) return new ProcReadResult(ProcReadStatus.Failed, 0, 14 /* EFAULT */);
        byte[] path = Encoding.UTF8.GetBytes($"{Root}/{pid}/mem\0");
        int fd;
        fixed (byte* p = path) fd = Native.Open(p, Native.O_RDONLY | Native.O_CLOEXEC);
        if (fd < 0) return ProcReadResult.FromErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        try
        {
            if (buffer.Length < maxLength) Array.Resize(ref buffer, maxLength);
            // Read no further than the end of the page first: the next page may not be mapped, and /proc/PID/mem
            // fails a read that starts on an unmapped page.
            int length = 0;
            ulong at = address;
            while (length < maxLength)
            {
                int chunk = (int)Math.Min((ulong)(maxLength - length), 4096 - (at & 4095));
                nint got;
                fixed (byte* b = &buffer[length]) got = Native.PRead(fd, b, chunk, (long)at);
                if (got < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR) continue;
                    if (length > 0) break;
                    return ProcReadResult.FromErrno(errno);
                }
                if (got == 0) break;
                int nul = buffer.AsSpan(length, (int)got).IndexOf((byte)0);
                if (nul >= 0) return new ProcReadResult(ProcReadStatus.Ok, length + nul, 0);
                length += (int)got;
                at += (ulong)got;
            }
            return new ProcReadResult(ProcReadStatus.Ok, length, 0);
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>
    /// The target of a proc symlink such as ROOT/PID/fd/3 or ROOT/PID/cwd. readlink(2) on these asks procfs
    /// for the path it already holds (d_path); it does not touch the file system behind it.
    /// </summary>
    public string? TryReadLink(string relative)
    {
        byte[] path = Encoding.UTF8.GetBytes($"{Root}/{relative}\0");
        byte* target = stackalloc byte[4096];
        nint n;
        fixed (byte* p = path) n = Native.ReadLink(p, target, 4096);
        return n <= 0 ? null : Encoding.UTF8.GetString(target, (int)n);
    }

    private int AppendRoot(Span<byte> path)
    {
        _root.CopyTo(path);
        return _root.Length;
    }

    private static int AppendText(Span<byte> path, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(path[at..]);
        return at + text.Length;
    }

    private static int AppendNumber(Span<byte> path, int at, int number)
    {
        path[at++] = (byte)'/';
        number.TryFormat(path[at..], out int written);
        return at + written;
    }

    private static ProcReadResult ReadWhole(ReadOnlySpan<byte> terminatedPath, ref byte[] buffer, int maxSize)
    {
        int fd;
        fixed (byte* p = terminatedPath) fd = Native.Open(p, Native.O_RDONLY | Native.O_CLOEXEC);
        if (fd < 0) return ProcReadResult.FromErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxSize) break; // cut at the cap
                    Array.Resize(ref buffer, Math.Min(maxSize, buffer.Length * 2));
                }
                nint got;
                fixed (byte* b = &buffer[length]) got = Native.Read(fd, b, buffer.Length - length);
                if (got < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR) continue;
                    return ProcReadResult.FromErrno(errno);
                }
                if (got == 0) break;
                length += (int)got;
            }
            return new ProcReadResult(ProcReadStatus.Ok, length, 0);
        }
        finally
        {
            Native.Close(fd);
        }
    }

    private static ProcReadResult ListNumericEntries(ReadOnlySpan<byte> terminatedPath, List<int> into)
    {
        into.Clear();
        int fd;
        fixed (byte* p = terminatedPath) fd = Native.Open(p, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC);
        if (fd < 0) return ProcReadResult.FromErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        byte* dents = stackalloc byte[16384];
        try
        {
            while (true)
            {
                nint got = Native.GetDents64(fd, dents, 16384);
                if (got < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR) continue;
                    return ProcReadResult.FromErrno(errno);
                }
                if (got == 0) break;
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                for (nint off = 0; off < got;)
                {
                    var entry = new ReadOnlySpan<byte>(dents + off, (int)(got - off));
                    ushort reclen = BinaryPrimitives.ReadUInt16LittleEndian(entry[16..]);
                    if (reclen == 0) break;
                    var name = entry[19..reclen];
                    int nul = name.IndexOf((byte)0);
                    if (nul >= 0) name = name[..nul];
                    if (TryParsePositive(name, out int id)) into.Add(id);
                    off += reclen;
                }
            }
            return new ProcReadResult(ProcReadStatus.Ok, into.Count, 0);
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>A directory name made only of digits, without overflow; "self", "1a", "" are not.</summary>
    internal static bool TryParsePositive(ReadOnlySpan<byte> name, out int value)
    {
        value = 0;
        if (name.IsEmpty || name.Length > 10) return false;
        long v = 0;
        foreach (byte c in name)
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            v = v * 10 + (c - '0');
        }
        if (v > int.MaxValue) return false;
        value = (int)v;
        return true;
    }
}
