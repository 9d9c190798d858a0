using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NfsWatch.Configuration;
using NfsWatch.Hosting;
using NfsWatch.Outputs.Metrics;
using Prometheus;

namespace NfsWatch.Tests.Outputs;

/// <summary>The /metrics endpoint over real loopback TCP: what scrapers, browsers and misbehaving clients get.</summary>
public sealed class MetricsHttpServerTests : IAsyncDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly ConcurrentDictionary<string, int> _dropped = new();
    private MetricsHttpServer _server;
    private int _port;

    public MetricsHttpServerTests()
    {
        new NfsWatchMetrics(_registry, "0.1.0");
        (_server, _port) = Serve(TimeSpan.FromSeconds(2));
    }

    private (MetricsHttpServer, int) Serve(TimeSpan headTimeout)
    {
        var listener = MetricsEndpoint.Bind(new ListenAddress("127.0.0.1", 0));
        var server = new MetricsHttpServer([listener], _registry, onDropped: r => _dropped.AddOrUpdate(r, 1, (_, n) => n + 1),
            headTimeout: headTimeout, requestTimeout: TimeSpan.FromSeconds(30));
        server.Start();
        return (server, ((IPEndPoint)listener.LocalEndPoint!).Port);
    }

    private async Task Restart(TimeSpan headTimeout)
    {
        await _server.DisposeAsync();
        (_server, _port) = Serve(headTimeout);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A client connected from a loopback address of its own (127.0.0.N), so that tests can play many hosts.</summary>
    private async Task<Socket> Connect(int fromHost = 1)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{fromHost}"), 0));
        await client.ConnectAsync(IPAddress.Loopback, _port);
        return client;
    }

    /// <summary>Sends raw bytes and returns everything the server answered before closing ("" if it closed unanswered).</summary>
    private async Task<string> Exchange(string request, int fromHost = 1)
    {
        using var client = await Connect(fromHost);
        await client.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
        return await ReadToEnd(client);
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
    }

    [Theory]
    // What Prometheus 2.x sends.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)]
    [InlineData("application/openmetrics-text;q=0, text/plain", false)]
    [InlineData("text/plain;q=0.9, application/openmetrics-text;q=0.5", false)]
    [InlineData("*/*", false)]
    [InlineData(null, false)]
    public void OpenMetricsOnlyWhenTheScraperPrefersIt(string? accept, bool want) => Assert.Equal(want, MetricsHttpServer.WantsOpenMetrics(accept));

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
    [InlineData("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "<a href=\"/metrics\">")]
    [InlineData("GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("\r\nGET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET /metrics HTTP/1.1\nHost: x\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET http://127.0.0.1:9856/metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
    [InlineData("GET /favicon.ico HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", "metrics are at /metrics")]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", "HTTP/1.1 405 Method Not Allowed", "Allow: GET, HEAD")]
    [InlineData("hello\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request")]
    [InlineData("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request")]
    public async Task EveryRequestGetsAClearAnswer(string request, string status, string contains)
    {
        string answer = await Exchange(request);
        Assert.StartsWith(status + "\r\n", answer);
        Assert.Contains(contains, answer);
    }

    [Fact]
    public async Task AnOversizedRequestHeadIsRefused()
    {
        string answer = await Exchange("GET /metrics HTTP/1.1\r\nX-Junk: " + new string('a', MetricsHttpServer.MaxRequestBytes) + "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", answer);
    }

    [Fact]
    public async Task AClientThatSendsNothingIsCutOffAtTheHeadTimeout()
    {
        using var idle = await Connect();
        Assert.Equal("", await ReadToEnd(idle)); // closed after the 2 s head timeout, unanswered
        Assert.Equal(1, _dropped.GetValueOrDefault(MetricsHttpServer.DroppedTimeout));
    }

    [Fact]
    public async Task OneAddressHoldsAtMostFourConnections()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < MetricsHttpServer.MaxPerAddress; i++) idle.Add(await Connect(fromHost: 7));
            Assert.Equal("", await Exchange(Get, fromHost: 7));
            Assert.Equal(1, _dropped.GetValueOrDefault(MetricsHttpServer.DroppedPerAddress));
            // Another address is served meanwhile.
            Assert.StartsWith("HTTP/1.1 200 OK", await Exchange(Get, fromHost: 1));
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task AScrapeIsAnsweredWhileIdleClientsHoldEverySlot()
    {
        // A head timeout longer than the test: only closing the idle to make room can let the scrape in.
        await Restart(headTimeout: TimeSpan.FromMinutes(5));
        var idle = new List<Socket>();
        try
        {
            // Every slot taken by clients on 8 addresses that connect and say nothing.
            for (int i = 0; i < MetricsHttpServer.MaxConnections; i++) idle.Add(await Connect(fromHost: 10 + i / MetricsHttpServer.MaxPerAddress));
            await Task.Delay(200);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            string body = await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
            Assert.Contains("nfswatch_scanned_threads", body);
            Assert.True(_dropped.GetValueOrDefault(MetricsHttpServer.DroppedIdle) >= 1, "an idle connection was closed to make room");
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task MoreConcurrentScrapesThanSlotsAreAllAnswered()
    {
        // 48 at once, from 12 addresses (4 each): 32 are served, the rest wait in the backlog, none is refused.
        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Exchange(Get, fromHost: 20 + i / MetricsHttpServer.MaxPerAddress)));
        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 200 OK", a));
        Assert.Empty(_dropped);
    }
}
