using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>`nfswatch run` as a real process on a free loopback port, scraped over HTTP.</summary>
public sealed partial class Daemon : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly System.Text.StringBuilder _output = new();

    public int Port { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public Daemon(string threshold = "1s", string interval = "250ms", params string[] extra) : this([], threshold, interval, extra) { }

    /// <param name="prefix">A command that runs the daemon, such as nsenter into a namespace.</param>
    public Daemon(string[] prefix, string threshold, string interval, params string[] extra)
    {
        Port = TestHost.FreePort();
        _process = NfsWatchProcess.Start(["run", "--threshold", threshold, "--interval", interval, "--listen", $"127.0.0.1:{Port}", .. extra], prefix: prefix);
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Process Process => _process;

    public async Task<string> ScrapeAsync() => await _http.GetStringAsync($"http://127.0.0.1:{Port}/metrics");

    /// <summary>Scrapes until <paramref name="condition"/> holds for the exposition, or fails with the last one.</summary>
    public async Task<string> WaitForMetricsAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        string last = "(no scrape answered)";
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) Assert.Fail($"nfswatch run exited ({_process.ExitCode}): {Output}");
            try
            {
                last = await ScrapeAsync();
                if (condition(last)) return last;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        Assert.Fail($"timed out waiting for {what}; last /metrics:\n{last}\ndaemon output:\n{Output}");
        return last;
    }

    /// <summary>The sum of a metric's samples whose labels contain every one of <paramref name="labels"/>.</summary>
    public static double Sum(string exposition, string metric, params string[] labels)
    {
        double sum = 0;
        foreach (Match m in Sample().Matches(exposition))
        {
            if (m.Groups[1].Value != metric) continue;
            string labelText = m.Groups[2].Value;
            if (labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
                sum += double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    /// <summary>SIGTERM, as systemd stops a service; returns the exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        Posix.Kill(_process.Id, Posix.SIGTERM);
        if (!_process.WaitForExit(timeout)) Assert.Fail($"nfswatch run did not stop within {timeout} of SIGTERM: {Output}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _http.Dispose();
    }


    [GeneratedRegex(@"^([a-z_]+)(?:\{([^}]*)\})? (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
