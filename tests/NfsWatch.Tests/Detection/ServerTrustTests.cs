using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.Isolation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// A mount call's server is established only once the call is inside the filesystem's code: mount(2) looks its
/// target up before it checks privileges, so any user can sit in it (on a FUSE target of their own) with addr=
/// values they chose. Metric labels rank such names last.
/// </summary>
public class ServerTrustTests
{
    private static HangReport MountCall(TempTree tree)
    {
        var proc = new ProcFs(tree.Path);
        var snapshot = new MountScanner(proc, TimeSpan.FromSeconds(30)).Scan();
        // The mount arguments are read from the fixture's "memory" by the isolated reader, as the daemon does.
        var reader = new IsolatedReader(new SelfCommand("dotnet", [NfsWatchProcess.Dll]), tree.Path, TimeSpan.FromSeconds(5));
        var report = new ReportPipeline(proc, SignatureCatalog.Defaults, reader, TimeSpan.FromSeconds(15))
            .Build(snapshot, new KernelLogView(), [], new ReportInputs());
        return Assert.Single(report.MountCalls);
    }

    [Fact]
    public void AMountCallInNfsCodeHasAnEstablishedServer()
    {
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        var call = MountCall(tree);
        Assert.Equal(("127.0.0.2", true), (call.Server, call.ServerEstablished));
    }

    [Fact]
    public void TheSameArgumentsStuckInThePathLookupOfTheTargetNameAServerNobodyVouchesFor()
    {
        using var tree = Fixtures.CopyToTemp("nfs4-helper");
        // Stuck looking up /mnt/a on a FUSE filesystem whose server does not answer, before may_mount().
        File.WriteAllText(Path.Combine(tree.Path, "2100", "task", "2100", "stack"), FixtureThreads.FuseTargetLookupStack);
        var call = MountCall(tree);
        Assert.Equal(("127.0.0.2", false), (call.Server, call.ServerEstablished));
    }
}
