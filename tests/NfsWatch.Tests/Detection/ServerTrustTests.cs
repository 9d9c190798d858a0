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
        File.WriteAllText(Path.Combine(tree.Path, "2100", "task", "2100", "stack"), """
            [<0>] request_wait_answer+0x13d/0x220 [fuse]
            [<0>] fuse_simple_request+0x18c/0x2d0 [fuse]
            [<0>] fuse_lookup_name+0xf4/0x2a0 [fuse]
            [<0>] fuse_lookup+0x6b/0x1a0 [fuse]
            [<0>] __lookup_slow+0x81/0x130
            [<0>] walk_component+0x158/0x1d0
            [<0>] path_lookupat+0x6e/0x1c0
            [<0>] filename_lookup+0xcf/0x1d0
            [<0>] user_path_at_empty+0x3a/0x60
            [<0>] __x64_sys_mount+0xd2/0x140
            [<0>] do_syscall_64+0x55/0xb0
            [<0>] entry_SYSCALL_64_after_hwframe+0x6e/0xd8

            """);
        var call = MountCall(tree);
        Assert.Equal(("127.0.0.2", false), (call.Server, call.ServerEstablished));
    }
}
