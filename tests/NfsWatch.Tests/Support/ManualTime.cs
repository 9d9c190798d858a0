namespace NfsWatch.Tests.Support;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks;
    private DateTimeOffset _wall = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        _ticks += by.Ticks;
        _wall += by;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => _ticks;
    public override DateTimeOffset GetUtcNow() => _wall;
}
