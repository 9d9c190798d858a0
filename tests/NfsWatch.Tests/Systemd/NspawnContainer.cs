using System.Diagnostics;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Systemd;

/// <summary>
/// A real systemd booted in a container (tests/systemd/prepare): systemd-nspawn --boot over the root
/// that tests/systemd/prepare made (under a tmpfs overlay: every boot starts clean and the cache is never
/// written), in a private mount namespace with its own /run, with /dev/fuse and a
/// package directory bound in. Commands run inside through nsenter. Dispose powers it off (SIGTERM to
/// systemd-nspawn), and kills it if it does not stop.
/// </summary>
public sealed class NspawnContainer : IDisposable
{
    private readonly Process _nspawn;

    /// <param name="privateNetwork">A network namespace of the container's own (loopback only): what it
    /// listens on cannot clash with the host's ports. Reach it with <see cref="Run"/> (bash's /dev/tcp).</param>
    public NspawnContainer(string packageDir, bool privateNetwork = false)
    {
        Assert.True(Posix.IsRoot, "the systemd tier boots a container and needs root");
        string root = Path.Combine(Environment.GetEnvironmentVariable("NFSWATCH_NSPAWN_CACHE") ?? "/var/tmp/nfswatch-nspawn", "root-bookworm-1");
        Assert.True(File.Exists(Path.Combine(root, ".done")), $"no container root at {root}: run tests/systemd/prepare");
        var info = new ProcessStartInfo("unshare", ["-m", "--propagation", "private", "sh", "-c",
            $"mount -t tmpfs tmpfs /run; exec systemd-nspawn -D {root} --volatile=overlay --boot --register=no --keep-unit --console=passive " +
            $"--bind=/dev/fuse --bind-ro={packageDir}:/pkg" + (privateNetwork ? " --private-network" : "")])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        _nspawn = Process.Start(info)!;
        var console = _nspawn.StandardOutput.ReadToEndAsync();
        var errors = _nspawn.StandardError.ReadToEndAsync();
        string state = "";
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            // The container's PID 1 is the child of systemd-nspawn named systemd (nspawn forks short-lived
            // helpers first, so the first child seen is not always it).
            InitPid = ContainerInit(_nspawn.Id);
            if (_nspawn.HasExited) break;
            // Early on, systemctl can wait for a manager that is not up yet: each poll gets 3 s.
            if (InitPid != 0)
            {
                var answer = Run("timeout", "3", "systemctl", "is-system-running");
                state = (answer.Stdout + answer.Stderr).Trim();
                if (answer.Stdout.Trim() is "running" or "degraded") return;
            }
            Thread.Sleep(200);
        }
        Dispose();
        throw new TimeoutException($"the container's systemd did not come up in 30 s (last state '{state}', init {InitPid}); " +
                                   $"systemd-nspawn said: {(errors.IsCompleted ? errors.Result : "")} {(console.IsCompleted ? console.Result : "")}");
    }

    private static int ContainerInit(int nspawn)
    {
        try
        {
            foreach (string child in File.ReadAllText($"/proc/{nspawn}/task/{nspawn}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (File.ReadAllText($"/proc/{child}/comm").Trim() == "systemd") return int.Parse(child);
        }
        catch (IOException) { } // a helper that ended between the two reads
        return 0;
    }

    public int InitPid { get; private set; }

    /// <summary>A command inside the container (nsenter into all its namespaces), at most 60 s.</summary>
    public NfsWatchProcess.Result Run(params string[] command) =>
        TestHost.RunWithin(TimeSpan.FromSeconds(60), "nsenter", ["-t", InitPid.ToString(), "-a", .. command]);

    public string Property(string unit, string property) => Run("systemctl", "show", "-p", property, "--value", unit).Stdout.Trim();

    public void Dispose()
    {
        if (_nspawn.HasExited) return;
        Posix.Kill(_nspawn.Id, Posix.SIGTERM); // systemd-nspawn asks the container's systemd to power off
        if (!_nspawn.WaitForExit(TimeSpan.FromSeconds(20))) _nspawn.Kill(entireProcessTree: true);
        _nspawn.Dispose();
    }
}
