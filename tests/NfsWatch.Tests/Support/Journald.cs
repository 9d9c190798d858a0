using System.Diagnostics;
using System.Text.Json;

namespace NfsWatch.Tests.Support;

/// <summary>
/// A real systemd-journald of the test's own, in a private mount namespace
/// with its own /run: nothing reaches the host's journal. Programs log to it from inside that namespace
/// (<see cref="Enter"/>), or from outside through <see cref="SocketPath"/>; <see cref="Read"/> asks journalctl.
/// </summary>
public sealed class Journald : IDisposable
{
    private readonly Process _process;

    public Journald()
    {
        Assert.True(Posix.IsRoot, "a private journald needs root (a mount namespace)");
        // unshare execs the shell, which execs journald: the process started is journald itself.
        var info = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && exec /lib/systemd/systemd-journald"])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        _process = Process.Start(info)!;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(SocketPath))
        {
            if (_process.HasExited || DateTime.UtcNow > until)
            {
                Dispose();
                Assert.Fail($"systemd-journald did not open its socket: {_process.StandardError.ReadToEnd()}");
            }
            Thread.Sleep(50);
        }
    }

    public int Pid => _process.Id;

    /// <summary>The journal socket as seen from outside its namespace.</summary>
    public string SocketPath => $"/proc/{Pid}/root/run/systemd/journal/socket";

    /// <summary>A command prefix that runs a program in the journal's mount namespace, where it is at the usual path.</summary>
    public string[] Enter => ["nsenter", "-t", Pid.ToString(), "-m"];

    /// <summary>The entries matching <paramref name="matches"/> (journalctl matches), every field in full (--all).</summary>
    public List<JsonElement> Read(params string[] matches)
    {
        var info = new ProcessStartInfo("nsenter", [.. Enter.Skip(1), "sh", "-c",
            "exec journalctl -D /run/log/journal/* -o json --all --no-pager \"$@\"", "journalctl", .. matches])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"journalctl failed: {stderr.Result}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>Reads until <paramref name="done"/> holds (journald takes its datagrams asynchronously), at most 10 s.</summary>
    public List<JsonElement> WaitFor(Func<List<JsonElement>, bool> done, params string[] matches)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var entries = Read(matches);
        while (!done(entries) && DateTime.UtcNow < until)
        {
            Thread.Sleep(100);
            entries = Read(matches);
        }
        return entries;
    }

    /// <summary>A field as text: journalctl -o json prints a field that is not valid UTF-8 as an array of bytes.</summary>
    public static string? Field(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SIGTERM);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill();
        }
        _process.Dispose();
    }
}
