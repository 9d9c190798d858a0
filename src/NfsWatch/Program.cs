using NfsWatch.Configuration;
using NfsWatch.Hosting;

namespace NfsWatch;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Usage.Text);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }
        if (args[0] is "--version" or "version")
        {
            Console.Out.WriteLine($"nfswatch {BuildInfo.Version}");
            return ExitCodes.Ok;
        }
        string verb = args[0];
        // The isolated reader's child: reads that may block on a wedged target, killed by the parent at its deadline.
        if (verb == NfsWatch.Core.Isolation.InternalRead.Verb) return NfsWatch.Core.Isolation.InternalRead.Run(args[1..], Console.Out);
        var rest = args.Skip(1).ToArray();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Console.Out.Write(Usage.Text);
            return ExitCodes.Ok;
        }
        try
        {
            return verb switch
            {
                "scan" => ScanCommand.Run(OptionsLoader.Load(verb, rest, Environment.GetEnvironmentVariable)),
                "run" => await DaemonCommand.RunAsync(OptionsLoader.Load(verb, rest, Environment.GetEnvironmentVariable)),
                _ => throw new UsageException($"unknown verb '{verb}' (use 'run' or 'scan')"),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"nfswatch: {e.Message}");
            Console.Error.WriteLine("Try 'nfswatch --help'.");
            return ExitCodes.Usage;
        }
    }
}

public static class ExitCodes
{
    /// <summary>scan: nothing hung; run: stopped cleanly.</summary>
    public const int Ok = 0;
    /// <summary>scan: something is hung; run: failed at run time (for example the port is taken).</summary>
    public const int Hung = 1;
    /// <summary>Bad usage or configuration, or the scan could not run.</summary>
    public const int Usage = 2;
}
