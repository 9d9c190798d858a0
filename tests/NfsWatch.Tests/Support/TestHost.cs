using System.Net;
using System.Net.Sockets;

namespace NfsWatch.Tests.Support;

/// <summary>Where the tests run: the checkout they come from, and free loopback ports.</summary>
public static class TestHost
{
    /// <summary>The checkout: the first directory above the test binaries that holds NfsWatch.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NfsWatch.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no NfsWatch.sln above {AppContext.BaseDirectory}");
    }
}
