using System.Reflection;

namespace NfsWatch.Tests.Architecture;

/// <summary>
/// Dependencies run one way: procfs -> detection -> explanation -> report -> outputs, with the host wiring them.
/// Read from the compiled code, so a dependency cannot hide in a fully qualified name or a lambda.
/// </summary>
public class DependencyTests
{
    private static readonly Assembly Core = typeof(NfsWatch.Core.Procfs.ProcFs).Assembly;
    private static readonly Assembly App = typeof(NfsWatch.Program).Assembly;

    /// <summary>
    /// The part of NfsWatch a type belongs to: its namespace below NfsWatch.Core or NfsWatch ("Core" and "App" for
    /// the roots: Duration and Printable, Program).
    /// </summary>
    private static string? Part(Type t)
    {
        string ns = t.Namespace ?? "";
        if (t.Assembly == Core) return ns == "NfsWatch.Core" ? "Core" : ns.StartsWith("NfsWatch.Core.", StringComparison.Ordinal) ? ns.Split('.')[2] : null;
        if (t.Assembly == App) return ns == "NfsWatch" ? "App" : ns.StartsWith("NfsWatch.", StringComparison.Ordinal) ? ns.Split('.')[1] : null;
        return null;
    }

    /// <summary>What each part may use; a part always may use itself.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Core"] = [],
        ["Procfs"] = ["Core"],
        ["KernelLog"] = ["Core", "Procfs"],
        ["Isolation"] = ["Core", "Procfs"],
        ["Detection"] = ["Core", "Procfs"],
        // The BPF probe is a source of candidates that detection defines.
        ["Bpf"] = ["Core", "Procfs", "Detection"],
        ["Explanation"] = ["Core", "Procfs", "Detection", "KernelLog", "Isolation"],
        ["Report"] = ["Core", "Procfs", "Detection", "KernelLog", "Isolation", "Explanation"],
        // Outputs render reports: they may name the explanation's vocabulary, never run it (see ExplanationForOutputs).
        ["Outputs"] = ["Core", "Procfs", "Detection", "KernelLog", "Isolation", "Report", "Explanation"],
        ["Configuration"] = ["Core"],
        ["Hosting"] = ["Core", "Procfs", "Detection", "KernelLog", "Isolation", "Explanation", "Report", "Outputs", "Configuration", "Bpf"],
        ["App"] = ["Core", "Procfs", "Detection", "KernelLog", "Isolation", "Explanation", "Report", "Outputs", "Configuration", "Hosting", "Bpf"],
    };

    /// <summary>The explanation types an output may use: the words of a report, not the code that finds them.</summary>
    private static readonly HashSet<string> ExplanationForOutputs = ["SignatureMatch", "HangCause", "HangCauses"];

    /// <summary>Packages the core library must not use: no host, no HTTP or D-Bus client, no metrics or logging.</summary>
    private static readonly string[] NotInCore = ["System.Net.Http", "Tmds.DBus", "Microsoft.Extensions.Hosting", "Microsoft.AspNetCore", "Prometheus", "Serilog"];

    private static IEnumerable<string> WrongWay(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => !t.IsNested))
        {
            string? part = Part(type);
            if (part is null) continue;
            foreach (var used in TypeReferences.Of(type))
            {
                string? usedPart = Part(used);
                if (usedPart is null || usedPart == part) continue;
                if (!Allowed[part].Contains(usedPart))
                    yield return $"{type.FullName} ({part}) uses {used.FullName} ({usedPart})";
                else if (part == "Outputs" && usedPart == "Explanation" && !ExplanationForOutputs.Contains(used.Name))
                    yield return $"{type.FullName} (Outputs) runs explanation code: {used.FullName}";
            }
        }
    }

    [Fact]
    public void EveryPartUsesOnlyThePartsBeneathIt()
    {
        var wrong = WrongWay(Core).Concat(WrongWay(App)).Distinct().ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void TheCoreHoldsNoHostHttpOrDbusClient()
    {
        var referenced = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        foreach (string forbidden in NotInCore)
            Assert.DoesNotContain(referenced, name => name.StartsWith(forbidden, StringComparison.Ordinal));
        var used = Core.GetTypes().SelectMany(TypeReferences.Of).Select(t => t.FullName ?? "").Distinct().ToList();
        foreach (string forbidden in NotInCore)
            Assert.DoesNotContain(used, name => name.StartsWith(forbidden + ".", StringComparison.Ordinal));
        // No callback into the host: the pipeline takes data (ReportInputs), not delegates.
        Assert.DoesNotContain(typeof(NfsWatch.Core.Report.ReportInputs).GetProperties(), p => typeof(Delegate).IsAssignableFrom(p.PropertyType));
    }

    /// <summary>The check can fail: it sees dependencies the right way too, through lambdas and generic arguments.</summary>
    [Fact]
    public void TheCheckSeesDependencies()
    {
        var hosting = TypeReferences.Of(typeof(NfsWatch.Hosting.ScanWorker));
        Assert.Contains(typeof(NfsWatch.Core.Report.ScanCycle), hosting);
        Assert.Contains(typeof(NfsWatch.Core.Report.ScanReport), TypeReferences.Of(typeof(NfsWatch.Outputs.Cli.ScanTable)));
        // ScanTable's heading order is a lambda over HangCause values: seen through the closure type.
        Assert.Contains(typeof(NfsWatch.Core.Explanation.HangCause), TypeReferences.Of(typeof(NfsWatch.Outputs.Cli.ScanTable)));
        Assert.Contains("ScanWorker (Hosting) uses", string.Join("\n", WrongWayIf("Hosting", [])));
    }

    /// <summary>What <see cref="WrongWay"/> would report if <paramref name="part"/> were allowed only <paramref name="allowed"/>.</summary>
    private static IEnumerable<string> WrongWayIf(string part, string[] allowed)
    {
        var saved = Allowed[part];
        Allowed[part] = allowed;
        try { return [.. WrongWay(App)]; }
        finally { Allowed[part] = saved; }
    }
}
