using System.Text.Json;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Report;

namespace NfsWatch.Outputs.Cli;

/// <summary>
/// The document of <c>nfswatch scan --json</c> (docs/scan-json.md, docs/scan.schema.json). Written by hand
/// with Utf8JsonWriter so that field order is stable, unknown fields are null rather than missing, and no
/// reflection is needed under Native AOT. It renders the report and decides nothing.
/// </summary>
public static class ScanJson
{
    public static void Write(Stream output, ScanReport report, string version)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("nfswatch_version", version);
        w.WriteStartObject("kernel");
        w.WriteString("release", report.Kernel.Release);
        w.WriteString("version", report.Kernel.Version);
        w.WriteString("machine", report.Kernel.Machine);
        w.WriteEndObject();
        w.WriteNumber("threshold_seconds", report.ThresholdSeconds);
        w.WriteNumber("scanned_threads", report.ScannedThreads);
        w.WriteNumber("scan_duration_seconds", Math.Round(report.Duration.TotalSeconds, 6));
        w.WriteStartObject("watching");
        w.WriteString("path", report.Watching);
        w.WriteString("why", report.WatchingWhy);
        w.WriteEndObject();
        w.WriteStartObject("probes");
        foreach (var p in report.Probes.Values.OrderBy(p => p.Name, StringComparer.Ordinal)) w.WriteBoolean(p.Name, p.Available);
        w.WriteEndObject();
        w.WriteStartObject("denied_reads");
        foreach (var p in report.Probes.Values.Where(p => p.Denied > 0).OrderBy(p => p.Name, StringComparer.Ordinal)) w.WriteNumber(p.Name, p.Denied);
        w.WriteEndObject();
        w.WriteStartObject("scan_errors");
        foreach (var (probe, count) in report.Errors.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteNumber(probe, count);
        w.WriteEndObject();
        w.WriteStartArray("stalled_processes");
        foreach (int pid in report.StalledProcesses) w.WriteNumberValue(pid);
        w.WriteEndArray();
        w.WriteStartArray("actions");
        foreach (var action in report.Actions) WriteAction(w, action);
        w.WriteEndArray();
        w.WriteStartArray("mount_syscalls");
        foreach (var call in report.MountCalls) WriteThread(w, call);
        w.WriteEndArray();
        w.WriteStartArray("nfs_blocked");
        foreach (var thread in report.Blocked) WriteThread(w, thread);
        w.WriteEndArray();
        w.WriteStartArray("nfs_mounts");
        foreach (var m in report.NfsMounts)
        {
            w.WriteStartObject();
            w.WriteString("source", m.Mount.Source);
            w.WriteString("target", m.Mount.MountPoint);
            w.WriteString("fstype", m.Mount.FsType);
            WriteStringOrNull(w, "nfs_version", m.NfsVersion);
            WriteStringOrNull(w, "server", m.Server);
            w.WriteNumber("rpc_operations", m.Mount.Operations);
            w.WriteNumber("rpc_retransmissions", m.Mount.Retransmissions);
            w.WriteNumber("rpc_timeouts", m.Mount.Timeouts);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // systemd's mount and automount units; null when D-Bus or systemd cannot be reached.
        if (report.MountUnits is null) w.WriteNull("systemd_mount_units");
        else
        {
            w.WriteStartArray("systemd_mount_units");
            foreach (var u in report.MountUnits)
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
        foreach (var e in report.KernelLogEvents.TakeLast(50))
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

    private static void WriteThread(Utf8JsonWriter w, HangReport r)
    {
        var t = r.Thread;
        w.WriteStartObject();
        w.WriteNumber("pid", t.Pid);
        w.WriteNumber("tid", t.Tid);
        w.WriteString("comm", t.Comm);
        WriteStringOrNull(w, "syscall", t.Syscall);
        w.WriteString("state", t.State.ToString());
        WriteStringOrNull(w, "wchan", t.Wchan);
        w.WriteNumber("stuck_seconds", t.StuckSeconds);
        w.WriteBoolean("hung", t.Hung);
        w.WriteStartArray("stack");
        foreach (string frame in t.Stack) w.WriteStringValue(frame);
        w.WriteEndArray();
        WriteStringOrNull(w, "fstype", r.FsType);
        WriteStringOrNull(w, "source", r.Source);
        WriteStringOrNull(w, "target", r.Target);
        WriteStringOrNull(w, "options", r.Options);
        WriteStringOrNull(w, "nfs_version", r.NfsVersion);
        WriteStringOrNull(w, "server", r.Server);
        if (r.Signature is { } s)
        {
            w.WriteStartObject("signature");
            w.WriteString("id", s.Id);
            w.WriteString("title", s.Title);
            w.WriteString("reference", s.Reference);
            w.WriteString("remediation", s.Remediation);
            w.WriteEndObject();
        }
        else w.WriteNull("signature");
        WriteStringOrNull(w, "role", r.Role);
        if (r.WaitsFor is { } on) { w.WritePropertyName("waits_for"); WriteWait(w, on); }
        else w.WriteNull("waits_for");
        WriteStringOrNull(w, "container_id", r.Owner.ContainerId);
        WriteStringOrNull(w, "unit", r.Owner.Unit);
        WriteStringOrNull(w, "ecs_task", r.Owner.EcsTask);
        // Extensions of the contract's fields, in docs/scan-json.md.
        WriteStringOrNull(w, "ecs_task_family", r.Owner.EcsTaskFamily);
        w.WriteBoolean("kernel_thread", t.IsKernelThread);
        WriteStringOrNull(w, "waits_on", r.WaitsFor?.On ?? r.WaitsOn);
        w.WriteStartArray("waiters");
        foreach (var waiter in r.Waiters) WriteWait(w, waiter);
        w.WriteEndArray();
        w.WriteString("cause", HangCauses.Name(r.Cause));
        if (r.Action is { } action) { w.WritePropertyName("action"); WriteAction(w, action); }
        else w.WriteNull("action");
        WriteStringOrNull(w, "triage", r.Triage);
        w.WriteStartArray("kernel_log");
        foreach (string line in r.KernelLog) w.WriteStringValue(line);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A wait between two threads: {"pid", "tid", "on"}.</summary>
    private static void WriteWait(Utf8JsonWriter w, WaitsFor wait)
    {
        w.WriteStartObject();
        w.WriteNumber("pid", wait.Pid);
        w.WriteNumber("tid", wait.Tid);
        w.WriteString("on", wait.On);
        w.WriteEndObject();
    }

    private static void WriteAction(Utf8JsonWriter w, HangAction action)
    {
        w.WriteStartObject();
        if (action.End is { } end)
        {
            w.WriteStartObject("end");
            w.WriteNumber("pid", end.Pid);
            w.WriteNumber("tid", end.Tid);
            w.WriteString("comm", end.Comm);
            w.WriteString("command", end.Command);
            w.WriteEndObject();
        }
        else w.WriteNull("end");
        WriteStringOrNull(w, "fix", action.Fix);
        WriteStringOrNull(w, "advice", action.Advice);
        w.WriteNumber("releases", action.Releases);
        w.WriteString("summary", action.Summary);
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
