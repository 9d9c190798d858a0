using System.Globalization;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// What the endpoint answers: GET and HEAD of /metrics (Prometheus text, or OpenMetrics when the scraper prefers
/// it), a small page at /, and a clear status for everything else. A scrape never waits for a scan: the gauges
/// come from the last snapshot (NfsWatchMetrics' before-collect callback).
/// </summary>
public static class MetricsPage
{
    public const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsText = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private const string PlainText = "text/plain; charset=utf-8";

    public static async Task AnswerAsync(HttpContext context, CollectorRegistry registry, Action<string>? onProblem)
    {
        var request = context.Request;
        var response = context.Response;
        bool head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            await Text(response, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD are served\n", head: false);
            return;
        }
        switch (request.Path.Value)
        {
            case "/metrics" or "/metrics/":
                bool openMetrics = WantsOpenMetrics(request.Headers.Accept.ToString());
                using (var body = new MemoryStream())
                {
                    try
                    {
                        await registry.CollectAndExportAsTextAsync(body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText,
                            context.RequestAborted);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        onProblem?.Invoke($"collecting metrics for a scrape failed: {e.Message}");
                        await Text(response, StatusCodes.Status500InternalServerError, "collecting metrics failed; the daemon's log says why\n", head);
                        return;
                    }
                    response.ContentType = openMetrics ? OpenMetricsText : PrometheusText;
                    response.ContentLength = body.Length;
                    if (!head) await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
                }
                return;
            case "/":
                response.ContentType = "text/html; charset=utf-8";
                await Body(response, "<html><head><title>NfsWatch</title></head><body><h1>NfsWatch</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n", head);
                return;
            default:
                await Text(response, StatusCodes.Status404NotFound, "not found: metrics are at /metrics\n", head);
                return;
        }
    }

    /// <summary>A short plain-text answer with <paramref name="status"/>.</summary>
    public static Task Text(HttpResponse response, int status, string text, bool head)
    {
        response.StatusCode = status;
        response.ContentType = PlainText;
        return Body(response, text, head);
    }

    private static async Task Body(HttpResponse response, string text, bool head)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        response.ContentLength = bytes.Length;
        if (!head) await response.Body.WriteAsync(bytes);
    }

    /// <summary>Whether the Accept header prefers OpenMetrics: its best quality is above 0 and at least text/plain's.</summary>
    public static bool WantsOpenMetrics(string? accept)
    {
        if (string.IsNullOrEmpty(accept)) return false;
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
                    !double.TryParse(param.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out q)) q = 0;
            }
            if (type == "application/openmetrics-text") openMetrics = Math.Max(openMetrics, q);
            else if (type is "text/plain" or "text/*" or "*/*") text = Math.Max(text, q);
        }
        return openMetrics > 0 && openMetrics >= text;
    }
}
