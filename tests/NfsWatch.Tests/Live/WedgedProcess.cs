using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// A process whose address space is genuinely wedged (tests/hang/fusewedge.c) and which has a thread hung
/// in mount(2) (section 1), made by tests/hang/fusewedge.c in a temp dir of its own. While it lasts, reading its
/// cmdline, environ or mem blocks, and so do ps, pgrep and top anywhere on the host: keep it to seconds, and never
/// enumerate processes by name meanwhile. The FUSE server ends itself after <c>lifetimeSeconds</c>, which aborts
/// both connections, so a crashed test leaves nothing wedged; Dispose ends it at once: abort through fusectl, then
/// SIGKILL to the server and the target by pid, then lazy unmounts.
/// </summary>
public sealed partial class WedgedProcess : IDisposable
{
    // -z now: no lazy binding in the target, whose first call of a libc function after the wedge could fault
    // in a page and queue behind the writer too.
    private static readonly Lazy<string> Binary = new(() => HangBinary.Build("fusewedge", "-Wl,-z,now"));
    private readonly Process _process;
    private readonly string _dir;
    private bool _disposed;

    public int ServerPid { get; }
    /// <summary>The wedged process.</summary>
    public int Pid { get; }
    /// <summary>Its thread inside mount(2) (D, fuse_get_req).</summary>
    public int MountTid { get; }
    /// <summary>Its thread holding the mmap_lock for read across a FUSE READ that is never answered.</summary>
    public int ReaderTid { get; }
    /// <summary>Its thread queued for the mmap_lock in write mode (D, vm_mmap_pgoff).</summary>
    public int WriterTid { get; }
    /// <summary>DIR/mnt, served by the FUSE server that never answers READ.</summary>
    public string MountPoint { get; }
    /// <summary>DIR/hang, whose FUSE server never reads.</summary>
    public string HangMountPoint { get; }

    public WedgedProcess(int lifetimeSeconds = 20)
    {
        Assert.True(Posix.IsRoot, "live tests make FUSE mounts and need root: run tests/run-all as root");
        _dir = Directory.CreateTempSubdirectory("nfswatch-wedge-").FullName;
        MountPoint = Path.Combine(_dir, "mnt");
        HangMountPoint = Path.Combine(_dir, "hang");
        var info = new ProcessStartInfo(Binary.Value) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(_dir);
        info.ArgumentList.Add(lifetimeSeconds.ToString(CultureInfo.InvariantCulture));
        _process = Process.Start(info)!;
        Pid = _process.Id;
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is null)
        {
            string err = _process.HasExited ? _process.StandardError.ReadToEnd() : "(no answer in 10 s)";
            Dispose();
            throw new InvalidOperationException($"fusewedge did not form its wedge: {err}");
        }
        var m = Ready().Match(line.Result);
        if (!m.Success)
        {
            Dispose();
            Assert.Fail($"unexpected fusewedge output: {line.Result}");
        }
        ServerPid = int.Parse(m.Groups[1].Value);
        Assert.Equal(Pid, int.Parse(m.Groups[2].Value));
        MountTid = int.Parse(m.Groups[3].Value);
        ReaderTid = int.Parse(m.Groups[4].Value);
        WriterTid = int.Parse(m.Groups[5].Value);
    }

    /// <summary>
    /// Reads /proc/PID/cmdline as ps does, in a child (`timeout SECONDS cat`) so that a blocked read costs the test
    /// nothing but the deadline. Exit 124 means the read was still blocked at the deadline; 0 means it returned.
    /// </summary>
    public (int ExitCode, TimeSpan Elapsed) ReadCmdlineInChild(TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo("timeout", [deadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), "cat", $"/proc/{Pid}/cmdline"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var child = Process.Start(info)!;
        _ = child.StandardOutput.ReadToEndAsync();
        if (!child.WaitForExit(deadline + TimeSpan.FromSeconds(5)))
        {
            Posix.Kill(child.Id, Posix.SIGKILL);
            Assert.Fail($"timeout(1) did not end cat /proc/{Pid}/cmdline: the read is not killable");
        }
        return (child.ExitCode, clock.Elapsed);
    }

    /// <summary>The state letter of one of the target's threads, from task/TID/stat (which never takes the mmap_lock).</summary>
    public char StateOf(int tid)
    {
        string stat = File.ReadAllText($"/proc/{Pid}/task/{tid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    /// <summary>
    /// Aborts both FUSE connections through fusectl (/sys/fs/fuse/connections/N/abort): the READ fails with EIO and the wedge
    /// dissolves, the mount(2) returns ENOTCONN, and the target lives on until Dispose.
    /// </summary>
    public void Abort()
    {
        var connections = ConnectionsOf(MountPoint, HangMountPoint);
        if (connections.Count == 0) return;
        string ctl = Path.Combine(_dir, "ctl");
        Directory.CreateDirectory(ctl);
        if (Posix.Mount("none", ctl, "fusectl", 0, null) != 0)
        {
            // Closing /dev/fuse aborts the connections too: the server holds the only copies.
            Posix.Kill(ServerPid, Posix.SIGKILL);
            return;
        }
        try
        {
            foreach (int c in connections)
            {
                try { File.WriteAllText(Path.Combine(ctl, c.ToString(CultureInfo.InvariantCulture), "abort"), "1"); }
                catch (IOException) { } // already gone
            }
        }
        finally { Posix.Umount2(ctl, Posix.MNT_DETACH); }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { Abort(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (ServerPid > 0) Posix.Kill(ServerPid, Posix.SIGKILL);
        Posix.Kill(Pid, Posix.SIGKILL);
        bool ended = _process.WaitForExit(TimeSpan.FromSeconds(10));
        Posix.Umount2(MountPoint, Posix.MNT_DETACH);
        Posix.Umount2(HangMountPoint, Posix.MNT_DETACH);
        _process.Dispose();
        // Never walk into a FUSE mount that may still be alive: delete the temp dir only once nothing is mounted there.
        if (ConnectionsOf(MountPoint, HangMountPoint).Count == 0)
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        if (!ended)
            throw new InvalidOperationException($"fusewedge {Pid} did not end after SIGKILL: the FUSE connections of {_dir} may need aborting");
    }

    /// <summary>The fusectl connection numbers (the minor of st_dev) of mounts at these paths, from mountinfo: nothing under them is touched.</summary>
    private static List<int> ConnectionsOf(params string[] mountPoints)
    {
        var found = new List<int>();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // 36 35 0:40 / /tmp/nfswatch-wedge-x/mnt rw,... - fuse.fusewedge fusewedge rw,... (proc_pid_mountinfo(5))
            string[] f = line.Split(' ');
            if (f.Length > 4 && mountPoints.Contains(f[4]) && f[2].Split(':') is [_, string minor])
                found.Add(int.Parse(minor, CultureInfo.InvariantCulture));
        }
        return found;
    }

    [GeneratedRegex(@"^server=(\d+) target=(\d+) mount_tid=(\d+) reader_tid=(\d+) writer_tid=(\d+) mnt=(\S+) hang=(\S+)$")]
    private static partial Regex Ready();
}
