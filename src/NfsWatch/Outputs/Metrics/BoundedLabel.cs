namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// Keeps a label's distinct values bounded. Mount sources, fstypes and kernel log lines are text that any
/// local user can choose (mount(2) looks up its target before it checks privileges, so anyone can sit in it
/// with arguments of their own): the first <see cref="Max"/> values get their own series, later ones share
/// "other", and a value not in <paramref name="allowed"/> (when given) is "other" too.
/// </summary>
public sealed class BoundedLabel(int max, IReadOnlySet<string>? allowed = null)
{
    public const string Other = "other";
    private readonly HashSet<string> _seen = [];
    private readonly Lock _lock = new();

    public int Max => max;

    public string Of(string value)
    {
        if (value is MetricLabels.Unknown or MetricLabels.None) return value;
        // A FUSE subtype ("fuse.sshfs") is allowed where its base type is.
        if (allowed is not null && !allowed.Contains(value) && !(value.IndexOf('.') is > 0 and int dot && allowed.Contains(value[..dot]))) return Other;
        lock (_lock)
        {
            if (_seen.Contains(value)) return value;
            if (_seen.Count >= max) return Other;
            _seen.Add(value);
            return value;
        }
    }
}
