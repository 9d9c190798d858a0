using NfsWatch.Core.Detection;

namespace NfsWatch.Hosting;

/// <summary>
/// What the daemon has seen, handed to `nfswatch scan`: the daemon writes its tracked calls to
/// STATE_DIR/calls after every scan (atomically: a temp file renamed over it); `scan` starts from them when
/// the file is fresh, so it knows how long a call has lasted even when the thread ran in between (a sync
/// RPC runs at each retransmission). The file is advisory: missing, stale or malformed, it is ignored.
/// </summary>
public static class CallHandover
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    public static string PathIn(string stateDir) => System.IO.Path.Combine(stateDir, "calls");

    /// <remarks>
    /// The file holds raw system call arguments of other processes (user-space pointers, which ptrace rights
    /// guard in /proc/PID/syscall): the directory is 0700 and the file 0600, written under a fresh name.
    /// </remarks>
    public static void Write(string stateDir, IEnumerable<TrackedCall> calls)
    {
        Directory.CreateDirectory(stateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = PathIn(stateDir);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
            writer.Write(TrackedCall.Format(calls));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The daemon's calls and how old the file is, or null when there is no fresh file.</summary>
    public static (List<TrackedCall> Calls, TimeSpan Age)? TryRead(string stateDir)
    {
        string path = PathIn(stateDir);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            var age = DateTime.UtcNow - info.LastWriteTimeUtc;
            if (age > FreshFor || age < -TimeSpan.FromMinutes(1)) return null;
            return (TrackedCall.Parse(File.ReadAllText(path)), age);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
