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
    private readonly MetricsHttpServer _server;
    private readonly int _port;

    public MetricsHttpServerTests()
    {
        new NfsWatchMetrics(_registry, "0.1.0");
        var listener = MetricsEndpoint.Bind(new ListenAddress("127.0.0.1", 0));
        _port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _server = new MetricsHttpServer([listener], _registry, requestTimeout: TimeSpan.FromSeconds(2));
        _server.Start();
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Sends raw bytes and returns everything the server answered before closing.</summary>
    private async Task<string> Exchange(string request)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, _port);
        await client.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
        return await ReadToEnd(client);
    }

    private static async Task<string> ReadToEnd(Socket client)
    {
        var answer = new MemoryStream();
        byte[] buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(answer.ToArray());
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
    }

    [Fact]
    public async Task PrometheusAskingForOpenMetricsGetsIt()
    {
        // The Accept header Prometheus 2.x sends.
        string answer = await Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer);
        Assert.Contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n", answer);
        Assert.EndsWith("# EOF\n", answer);
    }

    [Fact]
    public async Task HeadAnswersTheHeadersOfGetWithoutTheBody()
    {
        string get = await Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        string head = await Exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);
        string length = head.Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal));
        Assert.Contains(length, get);
        Assert.True(int.Parse(length["Content-Length: ".Length..]) > 1000);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "<a href=\"/metrics\">")]
    [InlineData("GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK", "nfswatch_scanned_threads")]
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
    public async Task IdleClientsNeitherDelayScrapesNorPileUp()
    {
        // MaxConnections clients connect and send nothing: they hold every slot.
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < MetricsHttpServer.MaxConnections; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, _port);
                idle.Add(s);
            }
            // One more is closed unanswered (the server is full)...
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (_server.Refused == 0 && DateTime.UtcNow < until)
            {
                string refused = await Exchange("GET /metrics HTTP/1.1\r\n\r\n").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "");
                Assert.DoesNotContain("200 OK", refused);
            }
            Assert.True(_server.Refused >= 1);
            // ...and once the idle ones have had their 2 s, each is cut off and scrapes are answered again.
            foreach (var s in idle) Assert.Equal("", await ReadToEnd(s));
            Assert.StartsWith("HTTP/1.1 200 OK", await Exchange("GET /metrics HTTP/1.1\r\n\r\n"));
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentScrapesAreAllAnswered()
    {
        using var http = new HttpClient();
        var bodies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => http.GetStringAsync($"http://127.0.0.1:{_port}/metrics")));
        Assert.All(bodies, b => Assert.Contains("nfswatch_scanned_threads", b));
    }
}
