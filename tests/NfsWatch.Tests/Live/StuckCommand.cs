using System.Diagnostics;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>A command stuck on the FUSE mount; killed by pid, and waited for, on Dispose.</summary>
internal sealed class StuckCommand : IDisposable
{
    private readonly Process _process;

    public StuckCommand(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
    }

    public int Pid => _process.Id;

    /// <summary>Waits until the command's thread sleeps in FUSE code (its wchan names a FUSE wait).</summary>
    public void WaitUntilBlocked()
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            try
            {
                string wchan = File.ReadAllText($"/proc/{Pid}/wchan");
                if (wchan is "fuse_get_req" or "request_wait_answer" or "fuse_lock_inode") return;
            }
            catch (IOException) { }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{_process.StartInfo.FileName} (pid {Pid}) never blocked on the FUSE mount");
    }

    public void Dispose()
    {
        Posix.Kill(Pid, Posix.SIGKILL);
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
