using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Serves GET /metrics from the registry on listening sockets that NfsWatch bound itself or that systemd
/// handed over (socket activation, which lets the unit run with PrivateNetwork=yes). It is HTTP/1.1 reduced to
/// what a scraper needs: one request per connection (Connection: close), GET and HEAD, Prometheus text or
/// OpenMetrics by the Accept header. A scrape never waits for a scan (the gauges come from the last snapshot).
/// <para>
/// Clients that connect and say nothing must not lock scrapers out. At most <see cref="MaxConnections"/>
/// connections are open at once; beyond that, new ones wait in the kernel's backlog, not refused. A client
/// has <see cref="DefaultHeadTimeout"/> to send its request head and <see cref="DefaultRequestTimeout"/> for
/// the whole exchange. One address may hold <see cref="MaxPerAddress"/> connections (more are closed at once).
/// When every slot is taken, connections that have not sent their request for a second are closed to make
/// room. Each dropped connection is counted by reason.
/// </para>
/// </summary>
public sealed class MetricsHttpServer : IAsyncDisposable
{
    public const int MaxConnections = 32, MaxPerAddress = 4, MaxRequestBytes = 16 * 1024;
    public static readonly TimeSpan DefaultHeadTimeout = TimeSpan.FromSeconds(2), DefaultRequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EvictIdleAfter = TimeSpan.FromSeconds(1), SlotWait = TimeSpan.FromMilliseconds(250);

    /// <summary>Why a connection was closed unanswered: the label of nfswatch_metrics_connections_dropped_total.</summary>
    public const string DroppedPerAddress = "per_address_limit", DroppedIdle = "idle_evicted", DroppedTimeout = "timeout";

    private const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";
    private const string OpenMetricsText = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private readonly IReadOnlyList<Socket> _listeners;
    private readonly CollectorRegistry _registry;
    private readonly Action<string>? _onProblem;
    private readonly Action<string>? _onDropped;
    private readonly TimeSpan _headTimeout, _requestTimeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections, MaxConnections);
    private readonly ConcurrentDictionary<Connection, Task> _open = new();
    private readonly Dictionary<string, int> _perAddress = [];
    private readonly List<Task> _loops = [];

    private sealed class Connection(Socket socket, string address, CancellationToken stop)
    {
        public Socket Socket { get; } = socket;
        public string Address { get; } = address;
        public long Started { get; } = Environment.TickCount64;
        public CancellationTokenSource Cancel { get; } = CancellationTokenSource.CreateLinkedTokenSource(stop);
        public volatile bool HeadRead;
        public volatile string? DropReason;
    }

    /// <param name="onProblem">Told when accepting or collecting fails, for example when descriptors run out.</param>
    /// <param name="onDropped">Told the reason each time a connection is closed unanswered.</param>
    public MetricsHttpServer(IReadOnlyList<Socket> listeners, CollectorRegistry registry, Action<string>? onProblem = null,
        Action<string>? onDropped = null, TimeSpan? headTimeout = null, TimeSpan? requestTimeout = null)
    {
        _listeners = listeners;
        _registry = registry;
        _onProblem = onProblem;
        _onDropped = onDropped;
        _headTimeout = headTimeout ?? DefaultHeadTimeout;
        _requestTimeout = requestTimeout ?? DefaultRequestTimeout;
    }

    public void Start()
    {
        foreach (var listener in _listeners) _loops.Add(AcceptAsync(listener));
    }

    private async Task AcceptAsync(Socket listener)
    {
        SocketError? lastError = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // A free slot first: while none is, clients wait in the backlog, and the idle are closed.
                while (!await _slots.WaitAsync(SlotWait, _stop.Token)) EvictIdle();
            }
            catch (OperationCanceledException) { return; }
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                _slots.Release();
                return;
            }
            catch (SocketException e)
            {
                _slots.Release();
                // EMFILE, ENOBUFS, a connection reset before it was accepted: say so once, back off, go on.
                if (lastError != e.SocketErrorCode) _onProblem?.Invoke($"accepting a /metrics connection failed: {e.Message}");
                lastError = e.SocketErrorCode;
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { return; }
                continue;
            }
            lastError = null;
            string address = client.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "local";
            if (!TryClaim(address))
            {
                _slots.Release();
                // Counted before the close, as the other drops are: the client sees the close only after.
                _onDropped?.Invoke(DroppedPerAddress);
                client.Dispose();
                continue;
            }
            var connection = new Connection(client, address, _stop.Token);
            var gate = new TaskCompletionSource();
            _open[connection] = ServeAsync(connection, gate.Task);
            gate.SetResult();
        }
    }

    private bool TryClaim(string address)
    {
        lock (_perAddress)
        {
            int n = _perAddress.GetValueOrDefault(address);
            if (n >= MaxPerAddress) return false;
            _perAddress[address] = n + 1;
            return true;
        }
    }

    private void Unclaim(string address)
    {
        lock (_perAddress)
        {
            if (_perAddress[address] <= 1) _perAddress.Remove(address);
            else _perAddress[address]--;
        }
    }

    /// <summary>Closes the connections that have held a slot for a second without sending their request.</summary>
    private void EvictIdle()
    {
        long now = Environment.TickCount64;
        foreach (var c in _open.Keys)
        {
            if (c.HeadRead || now - c.Started < EvictIdleAfter.TotalMilliseconds) continue;
            c.DropReason ??= DroppedIdle;
            try { c.Cancel.Cancel(); } catch (ObjectDisposedException) { }
        }
    }

    private async Task ServeAsync(Connection c, Task gate)
    {
        await gate; // registered in _open before it can finish
        try
        {
            c.Cancel.CancelAfter(_requestTimeout);
            Request request;
            using (var head = CancellationTokenSource.CreateLinkedTokenSource(c.Cancel.Token))
            {
                head.CancelAfter(_headTimeout);
                request = await ReadRequestAsync(c.Socket, head.Token);
            }
            c.HeadRead = true;
            var response = await RespondAsync(request, c.Cancel.Token);
            await c.Socket.SendAsync(response, SocketFlags.None, c.Cancel.Token);
            c.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested) _onDropped?.Invoke(c.DropReason ?? DroppedTimeout);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // The client went away, or the daemon is stopping: nothing to answer.
        }
        finally
        {
            c.Socket.Dispose();
            c.Cancel.Dispose();
            Unclaim(c.Address);
            _open.TryRemove(c, out _);
            _slots.Release();
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
            int end = HeadEnd(buffer.AsSpan(0, length), out int start);
            if (end >= 0) return Parse(buffer.AsSpan(start, end - start));
            if (length == buffer.Length) return new Request("", "", null, 431);
        }
    }

    /// <summary>
    /// Where the head ends (the line feed that ends its last line), or -1: the first line feed followed by
    /// an empty line ("\n\n" or "\n\r\n"). One empty line before the request line is skipped (RFC 9112 2.2).
    /// </summary>
    public static int HeadEnd(ReadOnlySpan<byte> data, out int start)
    {
        start = data.StartsWith("\r\n"u8) ? 2 : data.StartsWith("\n"u8) ? 1 : 0;
        for (int i = start; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n') continue;
            var rest = data[(i + 1)..];
            if (rest.StartsWith("\n"u8) || rest.StartsWith("\r\n"u8)) return i;
            if (rest.IsEmpty || (rest.Length == 1 && rest[0] == (byte)'\r')) return -1; // not known yet
        }
        return -1;
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
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) return new Request("", "", null, 400);
            if (line.AsSpan(0, colon).Equals("Accept", StringComparison.OrdinalIgnoreCase))
                accept = accept is null ? line[(colon + 1)..].Trim() : $"{accept}, {line[(colon + 1)..].Trim()}";
        }
        string target = requestLine[1];
        // The absolute form (GET http://host:9856/metrics), which a server must accept (RFC 9112 3.2.2).
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            int slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = slash < 0 ? "/" : target[slash..];
        }
        int query = target.IndexOf('?');
        string path = query >= 0 ? target[..query] : target;
        return new Request(requestLine[0], path, accept, 0);
    }

    /// <summary>Whether the Accept header prefers OpenMetrics: its best quality is above 0 and at least text/plain's.</summary>
    public static bool WantsOpenMetrics(string? accept)
    {
        if (accept is null) return false;
        double openMetrics = 0, text = 0;
        foreach (string range in accept.Split(','))
        {
            string[] parts = range.Split(';');
            string type = parts[0].Trim().ToLowerInvariant();
            double q = 1;
            foreach (string p in parts.AsSpan(1))
            {
                string param = p.Trim();
                if (param.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                    !double.TryParse(param.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out q)) q = 0;
            }
            if (type == "application/openmetrics-text") openMetrics = Math.Max(openMetrics, q);
            else if (type is "text/plain" or "text/*" or "*/*") text = Math.Max(text, q);
        }
        return openMetrics > 0 && openMetrics >= text;
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
                bool openMetrics = WantsOpenMetrics(request.Accept);
                using (var body = new MemoryStream())
                {
                    try
                    {
                        await _registry.CollectAndExportAsTextAsync(body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, cancel);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _onProblem?.Invoke($"collecting metrics for a scrape failed: {e.Message}");
                        return Response(500, "Internal Server Error", "text/plain; charset=utf-8", "collecting metrics failed; the daemon's log says why\n"u8, head);
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
        // Connections being answered end at once (their tokens are linked to _stop); wait for them briefly.
        try { await Task.WhenAll([.. _loops, .. _open.Values]).WaitAsync(TimeSpan.FromSeconds(2)); }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or TimeoutException) { }
    }
}
