using System.Diagnostics;

namespace NfsWatch.Tests.Support;

/// <summary>Runs the real nfswatch binary (the build beside the tests) as a separate process.</summary>
public static class NfsWatchProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "nfswatch.dll");

    /// <summary>A prefix that runs nfswatch as user nobody, with no groups: the kernel refuses what root alone may read.</summary>
    public static readonly string[] AsNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp"];

    public record Result(int ExitCode, string Stdout, string Stderr);

    public static string StateDir { get; } = Path.Combine(Path.GetTempPath(), $"nfswatch-test-state-{Environment.ProcessId}");

    /// <summary>Runs nfswatch to completion, killing it after <paramref name="timeout"/>.</summary>
    public static Result Run(IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? env = null,
        string[]? prefix = null)
    {
        using var p = new Process { StartInfo = StartInfo(args, env, prefix) };
        p.Start();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"nfswatch {string.Join(' ', args)} did not finish");
        }
        p.WaitForExit();
        var args2 = args.ToList();
        // Every scan --json of every test is held to the published schema.
        if (args2.Contains("scan") && args2.Contains("--json") && p.ExitCode is 0 or 1) ScanSchema.AssertValid(stdout.Result);
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts nfswatch and leaves it running; the caller disposes it.</summary>
    public static Process Start(IEnumerable<string> args, IDictionary<string, string>? env = null, string[]? prefix = null)
    {
        var p = new Process { StartInfo = StartInfo(args, env, prefix) };
        p.Start();
        return p;
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env, string[]? prefix)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (prefix is { Length: > 0 })
        {
            info.FileName = prefix[0];
            foreach (string a in prefix.Skip(1)) info.ArgumentList.Add(a);
            info.ArgumentList.Add("dotnet");
        }
        else info.FileName = "dotnet";
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        // A config file or NFSWATCH_ variable of the machine must not leak into tests.
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("NFSWATCH_", StringComparison.Ordinal)))
            info.Environment.Remove(key);
        // The daemons and scans of one test run share their own state dir, never the machine's /run/nfswatch; those
        // run as nobody have one of their own (a scan refuses a hand-over file that root wrote, and says so).
        info.Environment["NFSWATCH_STATE_DIR"] = ReferenceEquals(prefix, AsNobody) ? StateDir + "-nobody" : StateDir;
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        return info;
    }
}
