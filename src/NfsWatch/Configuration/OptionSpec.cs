namespace NfsWatch.Configuration;

/// <summary>One option of the command line (docs/configuration.md): its name, which verbs take it, its help.</summary>
public sealed record OptionSpec(string Name, string? Verb, string? ValueName, string Default, string Help)
{
    public bool IsFlag => ValueName is null;

    /// <summary>The environment variable: NFSWATCH_ + the name in upper case, '-' as '_'.</summary>
    public string EnvironmentName => "NFSWATCH_" + Name.ToUpperInvariant().Replace('-', '_');

    public bool AppliesTo(string verb) => Verb is null || Verb == verb;

    public static IReadOnlyList<OptionSpec> All { get; } =
    [
        new("procfs", null, "PATH", "/proc", "root of the proc filesystem to read"),
        new("threshold", null, "DURATION", "30s", "time inside a mount-family system call, or blocked in I/O, after which a thread counts as hung (1s to 24h)"),
        new("interval", "run", "DURATION", "5s", "time between scans (100ms to 1h)"),
        new("listen", "run", "HOST:PORT|off", ListenAddress.Default.ToString(), "where /metrics is served (\":PORT\" for every address, off for nowhere); a socket passed by systemd wins"),
        new("web-config", "run", "FILE", "none", "TLS, basic authentication and headers for /metrics: a web config file in the format of Prometheus exporters (node_exporter's --web.config.file)"),
        new("textfile", "run", "FILE", "none", "also write the metrics to FILE (*.prom) after each scan, atomically, for node_exporter's textfile collector"),
        new("json", "scan", null, "off", "print the scan as JSON"),
        new("signatures", null, "FILE", "none", "JSON file of kernel-problem signatures, tried before the built-in ones"),
        new("kmsg", null, "PATH", "/dev/kmsg", "kernel log device to follow"),
        new("log", "run", "auto|journal|console", "auto", "where the daemon logs: the systemd journal (native protocol, structured fields) or the console"),
        new("ecs-introspection", null, "off|on|HOST:PORT", "off", "name the ECS task of a container from the ECS agent's introspection API (on: 127.0.0.1:51678)"),
        new("state-dir", null, "DIR", "/run/nfswatch", "where the daemon leaves the calls it has seen, so that scan knows their whole age"),
        new("probe", null, "auto|bpf|procfs", "auto", "how threads are found: bpf (a kernel probe records mount calls at entry and names the blocked threads; needs CAP_BPF, CAP_PERFMON, BTF and libbpf1), procfs (every thread's proc files each scan), auto (bpf where it loads, else procfs)"),
        new("config", null, "FILE", "/etc/nfswatch/nfswatch.json when it exists", "JSON file of options (names as above, without --)"),
    ];

    public static OptionSpec? Find(string name) => All.FirstOrDefault(o => o.Name == name);
}
