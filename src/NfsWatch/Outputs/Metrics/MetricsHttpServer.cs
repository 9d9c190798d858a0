using System.Net.Sockets;
using System.Text;
using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Serves GET /metrics from the registry on listening sockets that NfsWatch bound itself or that systemd
/// handed over (socket activation, which lets the unit run with PrivateNetwork=yes). It is HTTP/1.1 reduced to
/// what a scraper needs: one request per connection (Connection: close), GET and HEAD, Prometheus text or
/// OpenMetrics by the Accept header. A client gets <see cref="DefaultRequestTimeout"/> to send its request and at
/// most <see cref="MaxConnections"/> are served at once, so slow or idle clients cannot hold up a scrape
/// for long or pile up; a scrape never waits for a scan (the gauges come from the last snapshot).
/// </summary>
public sealed class MetricsHttpServer : IAsyncDisposable
{
    public const int MaxConnections = 32;
    public const int MaxRequestBytes = 16 * 1024;
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    private const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";
    private const string OpenMetricsText = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private readonly IReadOnlyList<Socket> _listeners;
    private readonly CollectorRegistry _registry;
    private readonly Action<string>? _onProblem;
    private readonly TimeSpan _requestTimeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _open;
    private long _refused;

    /// <param name="onProblem">Told (once per kind) when accepting fails, for example when descriptors run out.</param>
    /// <param name="requestTimeout">How long a client has to send its request and read the answer.</param>
    public MetricsHttpServer(IReadOnlyList<Socket> listeners, CollectorRegistry registry, Action<string>? onProblem = null, TimeSpan? requestTimeout = null)
    {
        _requestTimeout = requestTimeout ?? DefaultRequestTimeout;
        _listeners = listeners;
        _registry = registry;
        _onProblem = onProblem;
    }

    /// <summary>Connections closed unanswered because <see cref="MaxConnections"/> were already open.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void Start()
    {
        foreach (var listener in _listeners) _loops.Add(AcceptAsync(listener));
    }

    private async Task AcceptAsync(Socket listener)
    {
        SocketError? lastError = null;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE, ENOBUFS, a connection reset before it was accepted: say so once, back off, go on.
                if (lastError != e.SocketErrorCode) _onProblem?.Invoke($"accepting a /metrics connection failed: {e.Message}");
                lastError = e.SocketErrorCode;
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { return; }
                continue;
            }
            if (Interlocked.Increment(ref _open) > MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using var _ = client;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            deadline.CancelAfter(_requestTimeout);
            var request = await ReadRequestAsync(client, deadline.Token);
            var response = await RespondAsync(request, deadline.Token);
            await client.SendAsync(response, SocketFlags.None, deadline.Token);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // A client that was too slow, went away, or the daemon is stopping: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>A parsed request head, or the status to refuse it with.</summary>
    public readonly record struct Request(string Method, string Path, string? Accept, int Refusal);

    private static async Task<Request> ReadRequestAsync(Socket client, CancellationToken cancel)
    {
        byte[] buffer = new byte[MaxRequestBytes];
        int length = 0;
        while (true)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (n == 0) throw new IOException("the client closed the connection before its request was complete");
            length += n;
            int end = HeadEnd(buffer.AsSpan(0, length));
            if (end >= 0) return Parse(buffer.AsSpan(0, end));
            if (length == buffer.Length) return new Request("", "", null, 431);
        }
    }

    private static int HeadEnd(ReadOnlySpan<byte> data)
    {
        int crlf = data.IndexOf("\r\n\r\n"u8);
        if (crlf >= 0) return crlf;
        return data.IndexOf("\n\n"u8);
    }

    /// <summary>Parses a request head (request line and headers, without the blank line).</summary>
    public static Request Parse(ReadOnlySpan<byte> head)
    {
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split('\n');
        string[] requestLine = lines[0].TrimEnd('\r').Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || requestLine[1].Length == 0)
            return new Request("", "", null, 400);
        string? accept = null;
        foreach (string raw in lines.AsSpan(1))
        {
            string line = raw.TrimEnd('\r');
            int colon = line.IndexOf(':');
            if (colon <= 0) return new Request("", "", null, 400);
            if (line.AsSpan(0, colon).Equals("Accept", StringComparison.OrdinalIgnoreCase))
                accept = accept is null ? line[(colon + 1)..].Trim() : $"{accept}, {line[(colon + 1)..].Trim()}";
        }
        string target = requestLine[1];
        int query = target.IndexOf('?');
        string path = query >= 0 ? target[..query] : target;
        return new Request(requestLine[0], path, accept, 0);
    }

    private async Task<byte[]> RespondAsync(Request request, CancellationToken cancel)
    {
        if (request.Refusal != 0) return Response(request.Refusal, request.Refusal == 431 ? "Request Header Fields Too Large" : "Bad Request", "text/plain; charset=utf-8", "bad request\n"u8, head: false);
        bool head = request.Method == "HEAD";
        if (request.Method is not ("GET" or "HEAD"))
            return Response(405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET and HEAD are served\n"u8, head: false, "Allow: GET, HEAD\r\n");
        switch (request.Path)
        {
            case "/metrics" or "/metrics/":
                bool openMetrics = request.Accept?.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase) == true;
                using (var body = new MemoryStream())
                {
                    try
                    {
                        await _registry.CollectAndExportAsTextAsync(body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, cancel);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        return Response(500, "Internal Server Error", "text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"collecting metrics failed: {e.Message}\n"), head);
                    }
                    return Response(200, "OK", openMetrics ? OpenMetricsText : PrometheusText, body.GetBuffer().AsSpan(0, (int)body.Length), head);
                }
            case "/":
                return Response(200, "OK", "text/html; charset=utf-8",
                    "<html><head><title>NfsWatch</title></head><body><h1>NfsWatch</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n"u8, head);
            default:
                return Response(404, "Not Found", "text/plain; charset=utf-8", "not found: metrics are at /metrics\n"u8, head);
        }
    }

    private static byte[] Response(int status, string reason, string contentType, ReadOnlySpan<byte> body, bool head, string extraHeaders = "")
    {
        byte[] header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n");
        if (head) return header;
        byte[] all = new byte[header.Length + body.Length];
        header.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(header.Length));
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners) listener.Dispose();
        try { await Task.WhenAll(_loops); } catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        // _stop is not disposed: connections still being answered hold tokens linked to it.
    }
}
