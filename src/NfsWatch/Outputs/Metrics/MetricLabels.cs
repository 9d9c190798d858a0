using NfsWatch.Core.Explanation;
using NfsWatch.Core.Report;

namespace NfsWatch.Outputs.Metrics;

/// <summary>Label values as docs/metrics.md defines them, rendered from a report.</summary>
public static class MetricLabels
{
    public const string Unknown = "unknown", None = "none";

    public static string FsType(HangReport r) => r.FsType ?? Unknown;

    /// <summary>"3", "4.0", "4.1", "4.2"; "unknown" for NFS of unknown version or an unknown filesystem; "none" for other filesystems.</summary>
    public static string NfsVersion(HangReport r) => r.FsType is null ? Unknown : r.IsNfs ? r.NfsVersion ?? Unknown : None;

    /// <summary>The NFS or SMB server; "unknown" when it should have one but it is not known; "none" for filesystems without one.</summary>
    public static string Server(HangReport r) => r.Server ?? (r.FsType is null || r.IsNfs ? Unknown : None);

    public static string Signature(HangReport r) => r.Signature?.Id ?? None;

    public static string Role(HangReport r) => r.Role ?? None;

    public static string Syscall(HangReport r) => r.Thread.Syscall ?? None;

    public static string Cause(HangReport r) => HangCauses.Name(r.Cause);
}
