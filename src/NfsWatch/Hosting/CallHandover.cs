using NfsWatch.Core;
using NfsWatch.Core.Detection;

namespace NfsWatch.Hosting;

/// <summary>
/// What the daemon has seen, handed to `nfswatch scan`: the daemon writes its tracked calls to
/// STATE_DIR/calls after every scan (atomically: a temp file renamed over it); `scan` starts from them when
/// the file is fresh, so it knows how long a call has lasted even when the thread ran in between (a sync
/// RPC runs at each retransmission). The file is advisory: missing, stale or malformed, it is ignored.
/// </summary>
/// <remarks>
/// `scan` runs as root and the daemon as its service user, which owns the directory: the file is read as
/// something that user could have planted. It must be a regular file (not a FIFO, which would block, nor a
/// link to /dev/zero), owned by root or the directory's owner, at most <see cref="MaxBytes"/>; each line is
/// range-checked, and anything else is ignored with one warning.
/// </remarks>
public static class CallHandover
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    /// <summary>About 100 bytes a call: room for tens of thousands of hung threads.</summary>
    public const int MaxBytes = 8 << 20;

    public static string PathIn(string stateDir) => System.IO.Path.Combine(stateDir, "calls");

    /// <remarks>
    /// The file holds raw system call arguments of other processes (user-space pointers, which ptrace rights
    /// guard in /proc/PID/syscall): the directory is 0700 and the file 0600, written under a fresh name. A temp
    /// file that could not be written whole is removed, so a full disk leaves nothing behind.
    /// </remarks>
    public static void Write(string stateDir, IEnumerable<TrackedCall> calls) => Write(stateDir, TrackedCall.Format(calls));

    /// <summary>Writes calls already formatted by <see cref="TrackedCall.Format"/>.</summary>
    public static void Write(string stateDir, string formatted)
    {
        Directory.CreateDirectory(stateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = PathIn(stateDir);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var writer = new StreamWriter(stream))
                writer.Write(formatted);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* it was never created */ }
            throw;
        }
    }

    /// <summary>The daemon's calls and how old the file is, or null with why it was ignored (null when there is simply none).</summary>
    public static (List<TrackedCall> Calls, TimeSpan Age)? TryRead(string stateDir, out string? ignored)
    {
        ignored = null;
        string path = PathIn(stateDir);
        BoundedFile.Contents contents;
        try { contents = BoundedFile.Read(path, MaxBytes, followLinks: false); }
        catch (FileRefusedException e)
        {
            if (e.Message != "no such file") ignored = e.Message;
            return null;
        }
        uint? directoryOwner = BoundedFile.OwnerOf(stateDir);
        if (contents.OwnerUid != 0 && contents.OwnerUid != directoryOwner)
        {
            ignored = $"it belongs to uid {contents.OwnerUid}, neither root nor the owner of {stateDir}";
            return null;
        }
        var age = DateTimeOffset.UtcNow - contents.Modified;
        if (age > FreshFor || age < -TimeSpan.FromMinutes(1)) return null;
        string text;
        try { text = new System.Text.UTF8Encoding(false, true).GetString(contents.Bytes); }
        catch (System.Text.DecoderFallbackException)
        {
            ignored = "it is not text";
            return null;
        }
        var calls = TrackedCall.Parse(text, DateTimeOffset.UtcNow, out int rejected);
        if (rejected > 0) ignored = $"{rejected} malformed or out-of-range line(s) were skipped";
        return (calls, age);
    }
}
