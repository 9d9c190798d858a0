using System.Text.Json;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;

namespace NfsWatch.Outputs.Cli;

/// <summary>
/// The document of <c>nfswatch scan --json</c> (../shared/INTERFACE.md). Written by hand with
/// Utf8JsonWriter so that field order is stable, unknown fields are null rather than missing, and no
/// reflection is needed under Native AOT.
/// </summary>
public static class ScanJson
{
    public static void Write(Stream output, ScanSnapshot snapshot, string version, IReadOnlyList<NfsWatch.Hosting.MountUnit>? mountUnits = null)
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
        WriteCounts(w, "probes", snapshot.Probes.ToDictionary(p => p.Key, p => p.Value ? 1 : 0), asBool: true);
        WriteCounts(w, "denied_reads", snapshot.DeniedReads);
        WriteCounts(w, "scan_errors", snapshot.Errors);
        w.WriteStartArray("stalled_processes");
        foreach (int pid in snapshot.StalledProcesses) w.WriteNumberValue(pid);
        w.WriteEndArray();
        w.WriteStartArray("mount_syscalls");
        foreach (var call in snapshot.MountCalls) WriteThread(w, call);
        w.WriteEndArray();
        w.WriteStartArray("nfs_blocked");
        foreach (var thread in snapshot.NfsBlocked) WriteThread(w, thread);
        w.WriteEndArray();
        w.WriteStartArray("nfs_mounts");
        foreach (var m in snapshot.NfsMounts)
        {
            w.WriteStartObject();
            w.WriteString("source", m.Source);
            w.WriteString("target", m.MountPoint);
            w.WriteString("fstype", m.FsType);
            WriteStringOrNull(w, "nfs_version", NfsOptions.Version(m.FsType, m.Options, fromKernel: true));
            WriteStringOrNull(w, "server", NfsOptions.Server(m.Source, m.Options));
            w.WriteNumber("rpc_operations", m.Operations);
            w.WriteNumber("rpc_retransmissions", m.Retransmissions);
            w.WriteNumber("rpc_timeouts", m.Timeouts);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // systemd's mount and automount units; null when D-Bus or systemd cannot be reached.
        if (mountUnits is null) w.WriteNull("systemd_mount_units");
        else
        {
            w.WriteStartArray("systemd_mount_units");
            foreach (var u in mountUnits)
            {
                w.WriteStartObject();
                w.WriteString("unit", u.Name);
                w.WriteString("state", u.ActiveState);
                w.WriteString("sub_state", u.SubState);
                w.WriteNumber("activating_seconds", Math.Round(u.Seconds, 3));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartArray("kernel_log");
        foreach (var e in snapshot.KernelLogEvents.TakeLast(50))
        {
            w.WriteStartObject();
            w.WriteString("event", e.Event);
            WriteStringOrNull(w, "server", e.Server);
            w.WriteNumber("seconds_since_boot", e.Seconds);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteThread(Utf8JsonWriter w, StuckThread call)
    {
        w.WriteStartObject();
        w.WriteNumber("pid", call.Pid);
        w.WriteNumber("tid", call.Tid);
        w.WriteString("comm", call.Comm);
        WriteStringOrNull(w, "syscall", call.Syscall);
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
        if (call.Signature is { } s)
        {
            w.WriteStartObject("signature");
            w.WriteString("id", s.Id);
            w.WriteString("title", s.Title);
            w.WriteString("reference", s.Reference);
            w.WriteString("remediation", s.Remediation);
            w.WriteEndObject();
        }
        else w.WriteNull("signature");
        WriteStringOrNull(w, "role", call.Role);
        WriteStringOrNull(w, "container_id", call.ContainerId);
        WriteStringOrNull(w, "unit", call.Unit);
        WriteStringOrNull(w, "ecs_task", call.EcsTask);
        WriteStringOrNull(w, "ecs_task_family", call.EcsTaskFamily);
        WriteStringOrNull(w, "triage", call.Triage);
        w.WriteStartArray("kernel_log");
        foreach (string line in call.KernelLog) w.WriteStringValue(line);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, int> counts, bool asBool = false)
    {
        w.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (asBool) w.WriteBoolean(key, count != 0);
            else w.WriteNumber(key, count);
        }
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
