using System.Net;
using System.Net.Sockets;
using System.Text;
using NfsWatch.Outputs.Http;
using NfsWatch.Outputs.Metrics;
using Prometheus;

namespace NfsWatch.Tests.Outputs;

/// <summary>The /metrics endpoint (Kestrel) over real loopback TCP: what scrapers, browsers and misbehaving clients get.</summary>
public sealed class MetricsWebServerTests : IAsyncLifetime
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private MetricsWebServer? _server;
    private int _port;

    public MetricsWebServerTests() => new NfsWatchMetrics(_registry, "0.1.0");

    public async Task InitializeAsync() => await Serve(headersTimeout: TimeSpan.FromSeconds(2), idleTimeout: TimeSpan.FromSeconds(3));

    private async Task Serve(TimeSpan headersTimeout, TimeSpan idleTimeout)
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = await MetricsWebServer.StartAsync([new IPEndPoint(IPAddress.Loopback, 0)], _registry,
            headersTimeout: headersTimeout, idleTimeout: idleTimeout);
        _port = ((IPEndPoint)_server.EndPoints.Single()).Port;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A client connected from a loopback address of its own (127.0.0.N), so that tests can play many hosts.</summary>
    private async Task<Socket> Connect(int fromHost = 1)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{fromHost}"), 0));
        await client.ConnectAsync(IPAddress.Loopback, _port);
        return client;
    }

    /// <summary>
    /// Sends raw bytes and returns the answer: its head and as much body as Content-Length says, or everything
    /// until the server closes. (No half-close: Kestrel, like most servers, takes it for a client that left.)
    /// </summary>
    private async Task<string> Exchange(string request, int fromHost = 1)
    {
        using var client = await Connect(fromHost);
        await client.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
        bool head = request.StartsWith("HEAD ", StringComparison.Ordinal);
        var answer = new MemoryStream();
        byte[] buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int n;
        while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            answer.Write(buffer, 0, n);
            string text = Encoding.UTF8.GetString(answer.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var length = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal));
            if (length is null) continue;
            int want = head ? 0 : int.Parse(length["Content-Length: ".Length..]);
            if (answer.Length - Encoding.UTF8.GetByteCount(text[..(end + 4)]) >= want) break;
        }
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private static async Task<string> ReadToEnd(Socket client)
    {
        var answer = new MemoryStream();
        byte[] buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Write(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private const string Get = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

    private async Task<string> Scrape()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
    }

    [Fact]
    public async Task AScrapeGetsPrometheusText()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://127.0.0.1:{_port}/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        string body = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE nfswatch_hung_mount_threads gauge", body);
        Assert.Contains("nfswatch_build_info{version=\"0.1.0\"", body);
        // No "Server: Kestrel": nothing tells a stranger what answers.
        Assert.False(response.Headers.Contains("Server"));
    }

    [Theory]
    // What Prometheus 2.x sends.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)]
    [InlineData("application/openmetrics-text;q=0, text/plain", false)]
    [InlineData("text/plain;q=0.9, application/openmetrics-text;q=0.5", false)]
    [InlineData("*/*", false)]
    [InlineData(null, false)]
    public void OpenMetricsOnlyWhenTheScraperPrefersIt(string? accept, bool want) => Assert.Equal(want, MetricsPage.WantsOpenMetrics(accept));

    [Fact]
    public async Task PrometheusAskingForOpenMetricsGetsIt()
    {
        string answer = await Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer);
        Assert.Contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n", answer);
        Assert.EndsWith("# EOF\n", answer);
    }

    [Fact]
    public async Task HeadAnswersTheHeadersOfGetWithoutTheBody()
    {
        string get = await Exchange(Get);
        string head = await Exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);
        int Length(string answer) => int.Parse(answer.Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal))["Content-Length: ".Length..]);
        int getBody = Encoding.UTF8.GetByteCount(get[(get.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Equal(getBody, Length(get));
        Assert.Equal(Length(get), Length(head));
        Assert.True(getBody > 1000);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK", "<a href=\"/metrics\">")]
    [InlineData("GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET /metrics HTTP/1.1\nHost: x\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET http://127.0.0.1:9856/metrics HTTP/1.1\r\nHost: 127.0.0.1:9856\r\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found", "metrics are at /metrics")]
    [InlineData("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", "HTTP/1.1 405 Method Not Allowed", "Allow: GET, HEAD")]
    // HTTP/1.1 without Host is refused (RFC 9112 3.2).
    [InlineData("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "Content-Length: 0")]
    [InlineData("hello\r\n\r\n", "HTTP/1.1 400 Bad Request", "Content-Length: 0")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", "HTTP/1.1 400 Bad Request", "Content-Length: 0")]
    public async Task EveryRequestGetsAClearAnswer(string request, string status, string contains)
    {
        string answer = await Exchange(request);
        Assert.StartsWith(status + "\r\n", answer);
        Assert.Contains(contains, answer);
    }

    [Fact]
    public async Task AnOversizedRequestHeadIsRefused()
    {
        string answer = await Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Junk: " + new string('a', MetricsWebServer.MaxHeaderBytes) + "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", answer);
    }

    [Fact]
    public async Task AHeaderThatNeverEndsIsCutOffAtTheHeadersTimeout()
    {
        using var slow = await Connect();
        await slow.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: a"u8.ToArray(), SocketFlags.None);
        var started = DateTime.UtcNow;
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", await ReadToEnd(slow));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AClientThatSendsNothingIsClosedAtTheIdleTimeout()
    {
        using var idle = await Connect();
        var started = DateTime.UtcNow;
        Assert.Equal("", await ReadToEnd(idle));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task SilentConnectionsFromTheScrapersOwnAddressDoNotLockItOut()
    {
        // No limit per address: a scraper shares its address with whatever else runs on its host.
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++) idle.Add(await Connect(fromHost: 1));
            Assert.Contains("nfswatch_scanned_threads", await Scrape());
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task AScrapeIsAnsweredWhileHundredsOfClientsSayNothing()
    {
        await Serve(headersTimeout: TimeSpan.FromMinutes(5), idleTimeout: TimeSpan.FromMinutes(5));
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 300; i++) idle.Add(await Connect(fromHost: 10 + i / 4));
            var started = DateTime.UtcNow;
            Assert.Contains("nfswatch_scanned_threads", await Scrape());
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), $"the scrape took {DateTime.UtcNow - started}");
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task ManyConcurrentScrapesAreAllAnswered()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Exchange(Get, fromHost: 20 + i / 4)));
        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 200 OK", a));
    }

    [Fact]
    public async Task AConnectionKeptAliveServesSeveralScrapes()
    {
        using var http = new HttpClient();
        for (int i = 0; i < 3; i++) Assert.Contains("nfswatch_scanned_threads", await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics"));
    }
}
