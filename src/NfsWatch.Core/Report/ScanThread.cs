namespace NfsWatch.Core.Report;

/// <summary>
/// The thread scans run on, kept from one scan to the next: starting a thread for each scan cost more than the
/// scan itself once the BPF probe made scans small (a clone, and the starter spinning until the new thread runs).
/// A scan that blocks in the kernel keeps its thread; <see cref="ScanCycle"/> then starts another.
/// </summary>
internal sealed class ScanThread
{
    private readonly object _lock = new(); // Monitor.Wait and Pulse need a monitor
    private Action? _work;

    public ScanThread()
    {
        new Thread(Loop) { IsBackground = true, Name = "nfswatch-scan" }.Start();
    }

    /// <summary>Runs <paramref name="scan"/> on this thread; the task completes when it returns, however late.</summary>
    public Task<T> Run<T>(Func<T> scan)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_work is not null) throw new InvalidOperationException("a scan is already waiting for this thread");
            _work = () =>
            {
                try { done.SetResult(scan()); }
                catch (OperationCanceledException e) { done.SetCanceled(e.CancellationToken); }
                catch (Exception e) { done.SetException(e); }
            };
            Monitor.Pulse(_lock);
        }
        return done.Task;
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            lock (_lock)
            {
                while (_work is null) Monitor.Wait(_lock);
                work = _work;
                _work = null;
            }
            work();
        }
    }
}
