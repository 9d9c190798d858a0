namespace NfsWatch.Configuration;

/// <summary>The settled options of one invocation, after file, environment and command line.</summary>
public sealed record NfsWatchOptions
{
    public string Procfs { get; init; } = "/proc";
    public TimeSpan Threshold { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Where /metrics is served; null for nowhere ("off") unless systemd passes a socket.</summary>
    public ListenAddress? Listen { get; init; } = ListenAddress.Default;
    /// <summary>The web config file (exporter-toolkit's format) for /metrics, or null for plain HTTP without authentication.</summary>
    public string? WebConfig { get; init; }
    /// <summary>The .prom file written after each scan (node_exporter's textfile collector), or null.</summary>
    public string? Textfile { get; init; }
    public bool Json { get; init; }
    /// <summary>The operator's signature file, tried before the defaults; null for the defaults only.</summary>
    public string? Signatures { get; init; }
    public string Kmsg { get; init; } = "/dev/kmsg";
    /// <summary>Where the daemon leaves what it has seen for `nfswatch scan` (systemd's RuntimeDirectory).</summary>
    public string StateDir { get; init; } = "/run/nfswatch";
    /// <summary>"auto" (BPF where it loads, else procfs), "bpf" (BPF or refuse to start) or "procfs".</summary>
    public string Probe { get; init; } = "auto";
    /// <summary>"auto" (the journal when systemd runs us and its socket exists), "journal" or "console".</summary>
    public string Log { get; init; } = "auto";
    /// <summary>Where the ECS agent's introspection API answers when the option is "on".</summary>
    public const string DefaultEcsEndpoint = "127.0.0.1:51678";

    /// <summary>The range of --threshold: shorter than a second flags every mount in flight; past a day nothing is ever hung.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) ThresholdRange = (TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));

    /// <summary>The range of --interval: faster than 100 ms costs more CPU than it tells; slower than an hour leaves alerts blind.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) IntervalRange = (TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

    /// <summary>The ECS agent's introspection endpoint (HOST:PORT), or null when off.</summary>
    public string? EcsIntrospection { get; init; }
    /// <summary>The config file that was read, or null when none was.</summary>
    public string? ConfigFile { get; init; }
}
