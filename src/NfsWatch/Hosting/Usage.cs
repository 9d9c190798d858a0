using System.Text;
using NfsWatch.Configuration;

namespace NfsWatch.Hosting;

/// <summary>The --help text, built from the option table so the two cannot drift apart.</summary>
public static class Usage
{
    public static string Text { get; } = Build();

    private static string Build()
    {
        var o = new StringBuilder();
        o.AppendLine($"nfswatch {BuildInfo.Version} - finds threads hung in mount system calls (NFS and others)");
        o.AppendLine();
        o.AppendLine("Usage:");
        o.AppendLine("  nfswatch run  [options]   the daemon: scan every --interval, serve /metrics on --listen");
        o.AppendLine("  nfswatch scan [options]   one scan now, as a table (or --json); exit 0 nothing hung, 1 hung, 2 error");
        o.AppendLine();
        o.AppendLine("Options (also from the config file or NFSWATCH_<NAME> variables; the command line wins):");
        foreach (var spec in OptionSpec.All)
        {
            string left = "--" + spec.Name + (spec.IsFlag ? "" : " " + spec.ValueName);
            string only = spec.Verb is null ? "" : $" ({spec.Verb} only)";
            // A long option and value get a line of their own; the help starts in the same column either way.
            if (left.Length > 22) o.AppendLine($"  {left}").Append(' ', 25).AppendLine($"{spec.Help}{only}; default {spec.Default}");
            else o.AppendLine($"  {left,-22} {spec.Help}{only}; default {spec.Default}");
        }
        o.AppendLine();
        o.AppendLine("A DURATION is a number with a unit: 500ms, 5s, 2m, 1h.");
        return o.ToString();
    }
}
