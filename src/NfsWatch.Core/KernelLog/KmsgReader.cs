using NfsWatch.Core.Procfs;
using System.Runtime.InteropServices;

namespace NfsWatch.Core.KernelLog;

/// <summary>
/// Follows /dev/kmsg without blocking: each call returns the events logged since the last one. The daemon
/// starts at the current end (only new lines count); `nfswatch scan` reads what the ring buffer still holds.
/// When the reader falls behind and the kernel overwrites records, read(2) fails once with EPIPE and then
/// continues from the oldest record still there (Documentation/ABI/testing/dev-kmsg).
/// </summary>
public sealed unsafe class KmsgReader : IDisposable
{
    private const int EAGAIN = 11, EINTR = 4, EPIPE = 32, EINVAL = 22;
    private int _fd = -1;
    private readonly byte[] _buffer = new byte[16384];
    private readonly List<byte> _partial = [];

    public KmsgReader(string path = "/dev/kmsg", bool fromNow = true)
    {
        Path = path;
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0")) _fd = Native.Open(p, Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (_fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Problem = errno is 1 or 13 ? $"{path}: permission denied" : $"{path}: cannot open (errno {errno})";
            return;
        }
        if (fromNow) Native.LSeek(_fd, 0, Native.SEEK_END);
    }

    public string Path { get; }

    public bool Available => _fd >= 0;

    /// <summary>Why the log cannot be read, or null.</summary>
    public string? Problem { get; }

    /// <summary>Records lost to ring-buffer overruns since start.</summary>
    public long Overruns { get; private set; }

    public List<KernelLogEvent> ReadNew(int maxRecords = 10_000)
    {
        var events = new List<KernelLogEvent>();
        if (_fd < 0) return events;
        for (int records = 0; records < maxRecords; records++)
        {
            nint n;
            fixed (byte* b = _buffer) n = Native.Read(_fd, b, _buffer.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                if (errno == EPIPE) { Overruns++; continue; }
                if (errno is EAGAIN or EINVAL) break;
                break;
            }
            if (n == 0) break; // a regular file (tests) at its end
            // /dev/kmsg returns one record per read; a plain file returns chunks. Split on newlines either way,
            // skipping the record's " KEY=VALUE" continuation lines.
            for (int i = 0; i < n; i++)
            {
                if (_buffer[i] != '\n') { _partial.Add(_buffer[i]); continue; }
                if (_partial.Count > 0 && _partial[0] != ' ' && KernelLogEvent.TryParse(_partial.ToArray()) is { } e) events.Add(e);
                _partial.Clear();
            }
        }
        return events;
    }

    public void Dispose()
    {
        if (_fd >= 0) Native.Close(_fd);
        _fd = -1;
    }
}
