namespace NfsWatch.Outputs.Http;

/// <summary>
/// rate_limit as Go's rate.Limiter that exporter-toolkit uses: a bucket of <see cref="RateLimit.Burst"/> tokens,
/// refilled by one every <see cref="RateLimit.Interval"/>; a request that finds it empty gets 429.
/// </summary>
public sealed class RequestRate(RateLimit limit)
{
    private readonly Lock _lock = new();
    private double _tokens = limit.Burst;
    private long _last = Environment.TickCount64;

    public RateLimit Limit { get; } = limit;

    public bool TryTake()
    {
        lock (_lock)
        {
            long now = Environment.TickCount64;
            _tokens = Math.Min(Limit.Burst, _tokens + (now - _last) / Limit.Interval.TotalMilliseconds);
            _last = now;
            if (_tokens < 1) return false;
            _tokens--;
            return true;
        }
    }
}
