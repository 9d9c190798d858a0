using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NfsWatch.Tests.Support;

/// <summary>Where the tests run: the checkout they come from, and free loopback ports.</summary>
public static class TestHost
{
    /// <summary>The checkout: the first directory above the test binaries that holds NfsWatch.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Runs a program of the host to completion (at most 10 minutes) and returns what it printed.</summary>
    public static NfsWatchProcess.Result Run(string file, params string[] args) => RunWithin(TimeSpan.FromMinutes(10), file, args);

    /// <summary>Runs a program to completion, killing it (and failing) after <paramref name="timeout"/>.</summary>
    public static NfsWatchProcess.Result RunWithin(TimeSpan timeout, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        p.WaitForExit();
        return new NfsWatchProcess.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NfsWatch.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no NfsWatch.sln above {AppContext.BaseDirectory}");
    }
}
