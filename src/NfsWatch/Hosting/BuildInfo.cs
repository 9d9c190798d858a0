using System.Reflection;

namespace NfsWatch.Hosting;

public static class BuildInfo
{
    /// <summary>The informational version without the source-revision suffix: "0.1.0".</summary>
    public static string Version { get; } =
        (typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
