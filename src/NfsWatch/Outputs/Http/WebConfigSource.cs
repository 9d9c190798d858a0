namespace NfsWatch.Outputs.Http;

/// <summary>
/// The web config in force, read again when the file or a file it names changes (by modification time and size,
/// checked at each new connection and request: a few stat calls). exporter-toolkit reads the file for every new TLS
/// connection and every request, so certificates rotate without a restart; so here. A file that went bad leaves
/// the last good one in force, said once per bad version. Turning TLS on or off needs a restart, as in
/// exporter-toolkit, and is refused meanwhile, so that removing TLS never quietly downgrades a listener.
/// </summary>
public sealed class WebConfigSource
{
    private readonly Action<string>? _onProblem, _onReloaded;
    private readonly Lock _lock = new();
    private volatile WebConfig _current;
    private volatile Stamp[] _stamp;
    private Stamp[]? _refused;

    public string Path { get; }

    private readonly record struct Stamp(string File, long Ticks, long Length);

    private WebConfigSource(string path, WebConfig first, Action<string>? onProblem, Action<string>? onReloaded)
    {
        Path = path;
        _current = first;
        _stamp = StampOf(first.Files);
        _onProblem = onProblem;
        _onReloaded = onReloaded;
    }

    /// <summary>Reads the file for the first time.</summary>
    /// <exception cref="WebConfigException">It cannot be used; the message names the file and the key.</exception>
    public static WebConfigSource Load(string path, Action<string>? onProblem = null, Action<string>? onReloaded = null) =>
        new(path, WebConfigFile.Load(path), onProblem, onReloaded);

    /// <summary>The config to apply now: the file as it is, or the last good one.</summary>
    public WebConfig Current
    {
        get
        {
            var stamp = StampOf(_current.Files);
            if (Same(stamp, _stamp)) return _current;
            lock (_lock)
            {
                if (Same(stamp, _stamp) || (_refused is not null && Same(stamp, _refused))) return _current;
                try
                {
                    var next = WebConfigFile.Load(Path);
                    if ((next.Tls is null) != (_current.Tls is null))
                        throw new WebConfigException($"{Path}: tls_server_config: turning TLS {(next.Tls is null ? "off" : "on")} needs a restart of the daemon");
                    _current = next;
                    _stamp = StampOf(next.Files);
                    _refused = null;
                    _onReloaded?.Invoke(Path);
                }
                catch (WebConfigException e)
                {
                    _refused = stamp;
                    _onProblem?.Invoke($"{e.Message}; the last good version stays in force");
                }
                return _current;
            }
        }
    }

    private static Stamp[] StampOf(IReadOnlyList<string> files)
    {
        var stamp = new Stamp[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            var info = new FileInfo(files[i]);
            stamp[i] = info.Exists ? new Stamp(files[i], info.LastWriteTimeUtc.Ticks, info.Length) : new Stamp(files[i], -1, -1);
        }
        return stamp;
    }

    private static bool Same(Stamp[] a, Stamp[] b) => a.AsSpan().SequenceEqual(b);
}
