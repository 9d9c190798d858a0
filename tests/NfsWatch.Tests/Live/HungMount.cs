using System.Diagnostics;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// A genuinely hung mount(2) on the running kernel, made by tests/hang/fusehang.c
/// on a FUSE mount in a temp dir of its own. The FUSE server ends itself after <c>lifetime</c> seconds, so a
/// crashed test leaves nothing hung; Dispose ends it at once: the server first (closing /dev/fuse aborts the
/// connection, which releases every waiter with ENOTCONN), then the hanger, then a lazy unmount.
/// </summary>
public sealed partial class HungMount : IDisposable
{
    public enum Mode { NoInit, Init }

    /// <summary>The call that hangs (tests/hang/fusehang.c, CALL), each on a path through the FUSE mount.</summary>
    public enum Call { Bind, Cifs, Umount2, OpenTree, FsConfig }

    private static readonly Lazy<string> Binary = new(() => HangBinary.Build("fusehang"));

    /// <summary>The fusehang binary, built on first use.</summary>
    public static string BinaryPath => Binary.Value;
    private readonly Process _process;
    private readonly string _dir;

    public int ServerPid { get; }
    public int Pid { get; }
    public int Tid { get; }
    public string MountPoint { get; }

    /// <param name="threads">More than 1: that many threads of the one process hang in mount(2) on the one FUSE
    /// mount (<see cref="Tid"/> is the first to say so).</param>
    /// <param name="call">The mount-family call that hangs.</param>
    public HungMount(Mode mode = Mode.NoInit, bool secondThread = false, int lifetimeSeconds = 90, int threads = 1, Call call = Call.Bind)
    {
        HangingCall = call;
        Assert.True(Posix.IsRoot, "live tests make FUSE mounts and need root: run tests/run-all as root");
        _dir = Directory.CreateTempSubdirectory("nfswatch-live-").FullName;
        var info = new ProcessStartInfo(Binary.Value) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { _dir, mode == Mode.Init ? "init" : "noinit", threads > 1 ? $"many:{threads}" : secondThread ? "second" : "main", lifetimeSeconds.ToString(),
                     call switch { Call.Cifs => "cifs", Call.Umount2 => "umount2", Call.OpenTree => "open_tree", Call.FsConfig => "fsconfig", _ => "bind" } })
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is null)
        {
            string err = _process.HasExited ? _process.StandardError.ReadToEnd() : "(no answer in 10 s)";
            Cleanup();
            throw new InvalidOperationException($"fusehang did not start: {err}");
        }
        var m = Ready().Match(line.Result);
        Assert.True(m.Success, $"unexpected fusehang output: {line.Result}");
        ServerPid = int.Parse(m.Groups[1].Value);
        Pid = int.Parse(m.Groups[2].Value);
        Tid = int.Parse(m.Groups[3].Value);
        MountPoint = m.Groups[4].Value;
    }

    public Call HangingCall { get; }

    /// <summary>The system call's name, as scan prints it.</summary>
    public string SyscallName => HangingCall switch { Call.Umount2 => "umount2", Call.OpenTree => "open_tree", Call.FsConfig => "fsconfig", _ => "mount" };

    /// <summary>The numbers the hanging call may have (mount: 165 on x86_64, 40 on arm64; umount2: 166, 39).</summary>
    private string[] Numbers => HangingCall switch { Call.Umount2 => ["166", "39"], Call.OpenTree => ["428"], Call.FsConfig => ["431"], _ => ["165", "40"] };

    /// <summary>Waits until the kernel shows the thread inside the hanging call.</summary>
    public void WaitUntilBlocked() => WaitUntilBlocked(Tid);

    /// <summary>Waits until the kernel shows thread <paramref name="tid"/> of the hanger inside the hanging call.</summary>
    public void WaitUntilBlocked(int tid)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string path = $"/proc/{Pid}/task/{tid}/syscall";
        while (DateTime.UtcNow < until)
        {
            try
            {
                string nr = File.ReadAllText(path).Split(' ')[0];
                if (Numbers.Contains(nr)) return;
            }
            catch (IOException) { }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"thread {tid} never blocked in {SyscallName}");
    }

    /// <summary>The hanger's threads now inside the hanging call (waits until <paramref name="count"/> are).</summary>
    public IReadOnlyList<int> BlockedThreads(int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<int> blocked = [];
        while (DateTime.UtcNow < until)
        {
            blocked = [];
            foreach (string dir in Directory.GetDirectories($"/proc/{Pid}/task"))
            {
                try
                {
                    if (Numbers.Contains(File.ReadAllText(Path.Combine(dir, "syscall")).Split(' ')[0])) blocked.Add(int.Parse(Path.GetFileName(dir)));
                }
                catch (IOException) { }
            }
            if (blocked.Count >= count) return blocked;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"only {blocked.Count} of {count} threads blocked in {SyscallName}");
    }

    /// <summary>Ends the hang; a second call does nothing (a test may end it early, before the commands stuck on it).</summary>
    public void Dispose() => Cleanup();

    private bool _cleaned;

    private void Cleanup()
    {
        if (_cleaned) return;
        _cleaned = true;
        if (ServerPid > 0) Posix.Kill(ServerPid, Posix.SIGKILL);
        if (Pid > 0) Posix.Kill(Pid, Posix.SIGKILL);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            throw new InvalidOperationException($"fusehang {Pid} did not end after SIGKILL: the FUSE connection of {MountPoint} may need aborting");
        if (MountPoint is not null) Posix.Umount2(MountPoint, Posix.MNT_DETACH);
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"^server=(\d+) hanger=(\d+) tid=(\d+) mnt=(.+)$")]
    private static partial Regex Ready();
}
