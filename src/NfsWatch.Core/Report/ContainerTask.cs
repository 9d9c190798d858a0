namespace NfsWatch.Core.Report;

/// <summary>
/// The ECS task a container belongs to ("family:revision" and its ARN), as the host learned it from the ECS
/// agent; reports name it beside the container's id. Data handed in, not looked up: the core reaches no agent.
/// </summary>
public sealed record ContainerTask(string Arn, string Family);
