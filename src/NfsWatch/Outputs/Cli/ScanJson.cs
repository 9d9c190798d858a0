using System.Text.Json;
using NfsWatch.Core.Detection;

namespace NfsWatch.Outputs.Cli;

/// <summary>
/// The document of <c>nfswatch scan --json</c> (../shared/INTERFACE.md). Written by hand with
/// Utf8JsonWriter so that field order is stable, unknown fields are null rather than missing, and no
/// reflection is needed under Native AOT.
/// </summary>
public static class ScanJson
{
    public static void Write(Stream output, ScanSnapshot snapshot, string version)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("nfswatch_version", version);
        w.WriteStartObject("kernel");
        w.WriteString("release", snapshot.Kernel.Release);
        w.WriteString("version", snapshot.Kernel.Version);
        w.WriteString("machine", snapshot.Kernel.Machine);
        w.WriteEndObject();
        w.WriteNumber("threshold_seconds", snapshot.ThresholdSeconds);
        w.WriteNumber("scanned_threads", snapshot.ScannedThreads);
        w.WriteNumber("scan_duration_seconds", Math.Round(snapshot.Duration.TotalSeconds, 6));
        w.WriteStartObject("probes");
        foreach (var (probe, available) in snapshot.Probes.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteBoolean(probe, available);
        w.WriteEndObject();
        w.WriteStartObject("denied_reads");
        foreach (var (probe, count) in snapshot.DeniedReads.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteNumber(probe, count);
        w.WriteEndObject();
        w.WriteStartObject("scan_errors");
        foreach (var (probe, count) in snapshot.Errors.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteNumber(probe, count);
        w.WriteEndObject();
        w.WriteStartArray("mount_syscalls");
        foreach (var call in snapshot.MountCalls) WriteCall(w, call);
        w.WriteEndArray();
        // Threads blocked in NFS code outside mount calls are not looked for yet: not known, so null.
        w.WriteNull("nfs_blocked");
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteCall(Utf8JsonWriter w, MountCall call)
    {
        w.WriteStartObject();
        w.WriteNumber("pid", call.Pid);
        w.WriteNumber("tid", call.Tid);
        w.WriteString("comm", call.Comm);
        w.WriteString("syscall", call.Syscall);
        w.WriteString("state", call.State.ToString());
        WriteStringOrNull(w, "wchan", call.Wchan);
        w.WriteNumber("stuck_seconds", call.StuckSeconds);
        w.WriteBoolean("hung", call.Hung);
        w.WriteStartArray("stack");
        foreach (string frame in call.Stack) w.WriteStringValue(frame);
        w.WriteEndArray();
        WriteStringOrNull(w, "fstype", call.FsType);
        WriteStringOrNull(w, "source", call.Source);
        WriteStringOrNull(w, "target", call.Target);
        WriteStringOrNull(w, "options", call.Options);
        WriteStringOrNull(w, "nfs_version", call.NfsVersion);
        WriteStringOrNull(w, "server", call.Server);
        w.WriteNull("signature");
        WriteStringOrNull(w, "role", call.Role);
        WriteStringOrNull(w, "container_id", call.ContainerId);
        WriteStringOrNull(w, "unit", call.Unit);
        WriteStringOrNull(w, "ecs_task", call.EcsTask);
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
