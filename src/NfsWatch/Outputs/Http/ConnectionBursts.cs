namespace NfsWatch.Outputs.Http;

/// <summary>
/// Counts open connections, and once a burst of at least <see cref="BurstSize"/> of them has come and gone (a
/// flood of silent clients, say), asks the garbage collector for an aggressive full collection, at most once every
/// 10 s. Without it, what the burst's connections used has been promoted to the oldest generation by the time
/// they close, and the daemon, which allocates little, would not run a full collection for a long time: its
/// resident memory would stay several MiB above where it was (measured by the attack tier).
/// </summary>
public sealed class ConnectionBursts
{
    public const int BurstSize = 64;
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(10);
    private int _open, _peak;
    private long _lastCollection = -MinimumGap.Ticks;

    public int Open => Volatile.Read(ref _open);

    public void Opened()
    {
        int open = Interlocked.Increment(ref _open);
        int peak;
        while (open > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, open, peak) != peak) { }
    }

    public void Closed()
    {
        if (Interlocked.Decrement(ref _open) != 0 || Volatile.Read(ref _peak) < BurstSize) return;
        long now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        long last = Interlocked.Read(ref _lastCollection);
        if (now - last < MinimumGap.Ticks || Interlocked.CompareExchange(ref _lastCollection, now, last) != last) return;
        Volatile.Write(ref _peak, 0);
        // Off the connection's thread; Aggressive compacts and gives the freed memory back to the system.
        ThreadPool.UnsafeQueueUserWorkItem(_ => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true), null);
    }
}
