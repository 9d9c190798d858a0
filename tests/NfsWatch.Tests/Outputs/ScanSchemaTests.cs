using System.Text.Json.Nodes;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Outputs;

/// <summary>The schema every tier validates scans against catches what a consumer would trip on.</summary>
public class ScanSchemaTests
{
    private static JsonObject Scan() =>
        JsonNode.Parse(NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("head-of-line"), "--kmsg", "/dev/null"]).Stdout)!.AsObject();

    [Fact]
    public void AFieldAddedRenamedDroppedOrOfAnotherTypeFailsValidation()
    {
        Assert.NotEmpty(Scan()["mount_syscalls"]!.AsArray());
        foreach (var (what, change) in new (string, Action<JsonObject>)[]
        {
            ("an undocumented field", d => d["mount_syscalls"]![0]!.AsObject()["new_field"] = 1),
            ("a dropped field", d => d["mount_syscalls"]![0]!.AsObject().Remove("server")),
            ("a renamed field", d => { var t = d["mount_syscalls"]![0]!.AsObject(); t["srv"] = t["server"]?.DeepClone(); t.Remove("server"); }),
            ("a string for a boolean", d => d["mount_syscalls"]![0]!.AsObject()["hung"] = "yes"),
            ("a role outside its values", d => d["mount_syscalls"]![0]!.AsObject()["role"] = "holder"),
            ("a cause outside its values", d => d["mount_syscalls"]![0]!.AsObject()["cause"] = "network"),
            ("a top-level field missing", d => d.Remove("nfs_blocked")),
        })
        {
            var doc = Scan();
            change(doc);
            Assert.Throws<Xunit.Sdk.XunitException>(() => ScanSchema.AssertValid(doc.ToJsonString(), what));
        }
        ScanSchema.AssertValid(Scan().ToJsonString());
    }
}
