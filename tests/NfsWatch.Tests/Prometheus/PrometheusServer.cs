using System.Diagnostics;
using System.Text.Json;
using NfsWatch.Tests.Support;

// Not NfsWatch.Tests.Prometheus: that would hide prometheus-net's Prometheus namespace from every test under NfsWatch.Tests.
namespace NfsWatch.Tests.PrometheusTier;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port, with
/// a configuration, rule files and a TSDB in a temp dir of its own. Dispose stops it by its own PID (SIGTERM, then
/// SIGKILL) and deletes the dir.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly System.Text.StringBuilder _log = new();

    public int Port { get; }
    public string Dir { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <param name="config">prometheus.yml; "{DIR}" in it stands for the temp dir.</param>
    /// <param name="files">Files written into the temp dir first (rule files), by name.</param>
    public PrometheusServer(string config, IReadOnlyDictionary<string, string>? files = null)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: tests/run-all prometheus installs Debian's prometheus");
        Dir = Directory.CreateTempSubdirectory("nfswatch-prometheus-").FullName;
        foreach (var (name, text) in files ?? new Dictionary<string, string>()) File.WriteAllText(Path.Combine(Dir, name), text);
        File.WriteAllText(Path.Combine(Dir, "prometheus.yml"), config.Replace("{DIR}", Dir));
        Port = TestHost.FreePort();
        var info = new ProcessStartInfo(Binary)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Dir,
        };
        foreach (string a in new[] { $"--config.file={Dir}/prometheus.yml", $"--storage.tsdb.path={Dir}/data",
                     $"--web.listen-address=127.0.0.1:{Port}", "--log.level=warn" })
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                string log = Log;
                int code = _process.ExitCode;
                Dispose();
                Assert.Fail($"prometheus exited ({code}) at start:\n{log}");
            }
            try
            {
                if (_http.GetAsync($"{BaseUrl}/-/ready").Result.IsSuccessStatusCode) break;
            }
            catch (AggregateException) { }
            if (DateTime.UtcNow > until)
            {
                string log = Log;
                Dispose();
                Assert.Fail($"prometheus was not ready within 30 s:\n{log}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>GET of an API path; the parsed answer, whatever its HTTP status (Prometheus puts errors in the body).</summary>
    public async Task<JsonElement> GetAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(BaseUrl + pathAndQuery);
        string body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"GET {pathAndQuery}: HTTP {(int)response.StatusCode}, not JSON: {body}");
            throw;
        }
    }

    /// <summary>An instant query at "now": the whole answer (status, data or error).</summary>
    public Task<JsonElement> QueryAsync(string expr) => GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(expr));

    /// <summary>An instant query that must succeed: its result samples (a scalar becomes one sample without labels).</summary>
    public async Task<List<Sample>> QueryVectorAsync(string expr)
    {
        var answer = await QueryAsync(expr);
        Assert.True(answer.GetProperty("status").GetString() == "success", $"query failed: {expr}\n{answer}");
        var data = answer.GetProperty("data");
        var result = data.GetProperty("result");
        if (data.GetProperty("resultType").GetString() == "scalar") return [new Sample(new Dictionary<string, string>(), ParseValue(result))];
        return [.. result.EnumerateArray().Select(s => new Sample(
            s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            ParseValue(s.GetProperty("value"))))];
    }

    /// <summary>Asks <paramref name="ask"/> until <paramref name="done"/> holds, or fails with the last answer.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T>> ask, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? show = null)
    {
        var until = DateTime.UtcNow + timeout;
        T last = await ask();
        while (!done(last))
        {
            if (_process.HasExited) Assert.Fail($"prometheus exited ({_process.ExitCode}) while waiting for {what}:\n{Log}");
            if (DateTime.UtcNow > until)
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what}; last answer:\n{(show is null ? last?.ToString() : show(last))}\nprometheus log:\n{Log}");
            await Task.Delay(100);
            last = await ask();
        }
        return last;
    }

    private static double ParseValue(JsonElement pair) =>
        double.Parse(pair[1].GetString()!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Posix.Kill(_process.Id, Posix.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill();
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
            _http.Dispose();
            try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public sealed record Sample(Dictionary<string, string> Labels, double Value)
    {
        public override string ToString() => "{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value;
    }
}
