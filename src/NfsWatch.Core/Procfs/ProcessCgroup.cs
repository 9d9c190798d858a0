using System.Text.RegularExpressions;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// /proc/PID/cgroup (cgroups(7)): "hierarchy-ID:controller-list:cgroup-path" per line; on cgroup v2 a single
/// "0::/path". The path names the systemd unit that owns the process (systemd places each unit in a cgroup of
/// its name) and, for a container, its id: /system.slice/docker-&lt;id&gt;.scope (Docker with the systemd driver),
/// /docker/&lt;id&gt; (cgroupfs driver), /ecs/&lt;task&gt;/&lt;id&gt; (ECS), .../cri-containerd-&lt;id&gt;.scope, crio-, libpod-.
/// Reading it does not block on the task: it takes no lock of the task's address space (kernel/cgroup/cgroup.c, proc_cgroup_show).
/// </summary>
public sealed partial record ProcessCgroup(string Path, string? Unit, string? ContainerId)
{
    public static ProcessCgroup? Parse(string text)
    {
        string? v2 = null, systemd = null;
        var paths = new List<string>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(':', 3);
            if (f.Length != 3 || !f[2].StartsWith('/')) continue;
            paths.Add(f[2]);
            if (f[0] == "0" && f[1].Length == 0) v2 = f[2];
            else if (f[1] == "name=systemd") systemd = f[2];
        }
        // The unified (v2) hierarchy, else systemd's own v1 one, says which unit; any hierarchy may name the container.
        string? path = v2 ?? systemd ?? paths.FirstOrDefault();
        if (path is null) return null;
        string? container = paths.Prepend(path).Select(ContainerIdIn).FirstOrDefault(id => id is not null);
        // Processes live in services and scopes, and in the mount, swap and socket units whose commands
        // (mount(8) and its helpers, swapon, ExecStartPre=) systemd runs: a mount unit's helper hung in mount(2)
        // is the mount unit's own.
        string? unit = path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(c =>
            c.EndsWith(".service", StringComparison.Ordinal) || c.EndsWith(".scope", StringComparison.Ordinal) ||
            c.EndsWith(".mount", StringComparison.Ordinal) || c.EndsWith(".swap", StringComparison.Ordinal) || c.EndsWith(".socket", StringComparison.Ordinal));
        return new ProcessCgroup(path, unit, container);
    }

    /// <summary>The last 64-hex-digit container id in a cgroup path, or null.</summary>
    public static string? ContainerIdIn(string path)
    {
        string? id = null;
        foreach (Match m in ContainerIdPattern().Matches(path)) id = m.Groups[1].Value;
        return id;
    }

    [GeneratedRegex(@"(?:^|/|-)([0-9a-f]{64})(?:\.scope)?(?=/|$)")]
    private static partial Regex ContainerIdPattern();
}
