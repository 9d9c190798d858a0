using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Outputs.Metrics;

/// <summary>Label values as ../shared/INTERFACE.md defines them, from what is known of a thread or mount.</summary>
public static class MetricLabels
{
    public const string Unknown = "unknown", None = "none";

    public static string FsType(StuckThread call) => call.FsType ?? Unknown;

    /// <summary>"3", "4.0", "4.1", "4.2"; "unknown" for NFS of unknown version or an unknown filesystem; "none" for other filesystems.</summary>
    public static string NfsVersion(StuckThread call) =>
        call.FsType is null ? Unknown : NfsOptions.IsNfs(call.FsType) ? call.NfsVersion ?? Unknown : None;

    public static string Server(StuckThread call) =>
        call.FsType is null ? Unknown : NfsOptions.IsNfs(call.FsType) ? call.Server ?? Unknown : None;

    public static string Signature(StuckThread call) => call.Signature?.Id ?? None;

    public static string Role(StuckThread call) => call.Role ?? None;

    public static string Syscall(StuckThread call) => call.Syscall ?? None;
}
