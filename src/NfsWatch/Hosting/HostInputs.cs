using NfsWatch.Core.Report;

namespace NfsWatch.Hosting;

/// <summary>
/// What the host knows that the scan cannot read from /proc, handed to each report as data: the ECS tasks of
/// containers (when introspection is on). The core never calls back into the host.
/// </summary>
public sealed class HostInputs(EcsTasks? ecs)
{
    public ReportInputs Current() => new() { ContainerTasks = ecs?.ContainerTasks() };
}
