using NfsWatch.Core.Detection;

namespace NfsWatch.Outputs.Metrics;

/// <summary>Label values as ../shared/INTERFACE.md defines them, from what is known of a mount call.</summary>
public static class MetricLabels
{
    public const string Unknown = "unknown", None = "none";

    public static bool IsNfs(string? fstype) => fstype is not null && fstype.StartsWith("nfs", StringComparison.Ordinal);

    public static string FsType(MountCall call) => call.FsType ?? Unknown;

    /// <summary>"3", "4.0", "4.1", "4.2"; "unknown" for NFS of unknown version or an unknown filesystem; "none" for other filesystems.</summary>
    public static string NfsVersion(MountCall call) =>
        call.FsType is null ? Unknown : IsNfs(call.FsType) ? call.NfsVersion ?? Unknown : None;

    public static string Server(MountCall call) =>
        call.FsType is null ? Unknown : IsNfs(call.FsType) ? call.Server ?? Unknown : None;

    public static string Signature(MountCall call) => None;

    public static string Role(MountCall call) => call.Role ?? None;
}
