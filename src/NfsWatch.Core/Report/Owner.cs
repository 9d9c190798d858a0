namespace NfsWatch.Core.Report;

/// <summary>Who a hung thread works for: its systemd unit and container (from its cgroup), and the container's ECS task.</summary>
public sealed record Owner(string? Unit, string? ContainerId, string? EcsTask, string? EcsTaskFamily)
{
    public static Owner None { get; } = new(null, null, null, null);
}
