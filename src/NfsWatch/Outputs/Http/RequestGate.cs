using Microsoft.AspNetCore.Http;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// What the web config asks of every request before it is answered, in exporter-toolkit's order: the rate limit
/// (429), the extra headers (on every answer, refusals included), then basic authentication (401 with
/// WWW-Authenticate).
/// </summary>
public sealed class RequestGate(WebConfigSource? web)
{
    private readonly BasicAuth _auth = new();
    private RequestRate? _rate;

    public BasicAuth Auth => _auth;

    /// <summary>True when the request was answered with a refusal.</summary>
    public async Task<bool> RefusesAsync(HttpContext context)
    {
        if (web is null) return false;
        var config = web.Current;
        var response = context.Response;
        bool head = HttpMethods.IsHead(context.Request.Method);
        if (config.RateLimit is { } limit)
        {
            var rate = _rate;
            if (rate is null || rate.Limit != limit) _rate = rate = new RequestRate(limit);
            if (!rate.TryTake())
            {
                await MetricsPage.Text(response, StatusCodes.Status429TooManyRequests, "Too Many Requests\n", head);
                return true;
            }
        }
        foreach (var (name, value) in config.Headers) response.Headers[name] = value;
        if (config.Users.Count == 0 || _auth.Allows(context.Request.Headers.Authorization, config.Users)) return false;
        response.Headers.WWWAuthenticate = "Basic realm=\"nfswatch\"";
        await MetricsPage.Text(response, StatusCodes.Status401Unauthorized, "Unauthorized\n", head);
        return true;
    }
}
