using NfsWatch.Configuration;
using NfsWatch.Core.Detection;
using NfsWatch.Outputs.Cli;

namespace NfsWatch.Hosting;

/// <summary><c>nfswatch scan</c>: one scan now, for the person on call.</summary>
public static class ScanCommand
{
    public static int Run(NfsWatchOptions options)
    {
        ScanSnapshot snapshot;
        try
        {
            snapshot = Watcher.Build(options, followFromNow: false).Run();
        }
        catch (ScanFailedException e)
        {
            Console.Error.WriteLine($"nfswatch: the scan could not run: {e.Message}");
            return ExitCodes.Usage;
        }
        if (options.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            ScanJson.Write(stdout, snapshot, BuildInfo.Version);
            stdout.Write("\n"u8);
        }
        else Console.Out.Write(ScanTable.Render(snapshot, BuildInfo.Version));
        return snapshot.Hung.Any() ? ExitCodes.Hung : ExitCodes.Ok;
    }
}
