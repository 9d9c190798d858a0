using System.Text.Json.Nodes;
using Json.Schema;

namespace NfsWatch.Tests.Support;

/// <summary>
/// docs/scan.schema.json, the published shape of <c>nfswatch scan --json</c>. Every scan a test runs, in every
/// tier, is validated against it, so a field the binary adds, renames or drops without the docs fails a test.
/// </summary>
public static class ScanSchema
{
    public static string Path => System.IO.Path.Combine(TestHost.RepoRoot, "docs", "scan.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path)));

    /// <summary>Throws with every violation when <paramref name="json"/> is not a document the schema allows.</summary>
    public static void AssertValid(string json, string what = "scan --json")
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException e) { throw new Xunit.Sdk.XunitException($"{what} printed no JSON document: {e.Message}\n{Cut(json)}"); }
        var result = Schema.Value.Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var errors = result.Details.Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"  {d.InstanceLocation}: {e.Value}")).Distinct().Take(20);
        throw new Xunit.Sdk.XunitException($"{what} does not match docs/scan.schema.json:\n{string.Join('\n', errors)}");
    }

    private static string Cut(string s) => s.Length > 2000 ? s[..2000] + "..." : s;
}
