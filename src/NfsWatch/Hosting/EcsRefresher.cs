using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NfsWatch.Hosting;

/// <summary>Keeps the ECS task cache fresh, apart from the scans; says once when the agent stops or starts answering.</summary>
public sealed class EcsRefresher(EcsTasks tasks, ILogger<EcsRefresher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        string? lastProblem = "";
        using var timer = new PeriodicTimer(EcsTasks.RefreshEvery);
        do
        {
            await tasks.RefreshAsync(stopping);
            if (tasks.Problem != lastProblem)
            {
                if (tasks.Problem is null) log.LogInformation("ECS agent introspection answers: containers are named by their ECS task");
                else log.LogWarning("ECS agent introspection does not answer ({Problem}): ECS tasks are not named{Hint}", tasks.Problem,
                    // Under systemd (INVOCATION_ID), the shipped unit gives the daemon no network unless its drop-in is installed.
                    Environment.GetEnvironmentVariable("INVOCATION_ID") is null ? ""
                        : ". nfswatch.service has no network of its own (PrivateNetwork=yes): install the drop-in ecs-introspection.conf (README, \"ECS\")");
                lastProblem = tasks.Problem;
            }
        } while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result));
    }
}
