using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// Without privileges NfsWatch degrades and says which probe is missing. The refusals are the kernel's:
/// the scan runs as user nobody (setpriv) over a fixture tree whose stack files are mode 000.
/// </summary>
public class PrivilegeTests
{
    [Fact]
    public void NoPermissionToReadStacksStillFindsTheCallAndSaysStackIsMissing()
    {
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root",
            "this test drops privileges with setpriv and must start as root (the README's test command runs as root)");
        using var tree = Fixtures.CopyToTemp("no-stack");
        MakeReadableByAll(tree.Path);
        File.SetUnixFileMode(Path.Combine(tree.Path, "7000", "task", "7000", "stack"), UnixFileMode.None);

        var json = NfsWatchProcess.Run(["scan", "--procfs", tree.Path, "--json"], prefix: NfsWatchProcess.AsNobody);
        var table = NfsWatchProcess.Run(["scan", "--procfs", tree.Path], prefix: NfsWatchProcess.AsNobody);

        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("probes").GetProperty("stack").GetBoolean());
        Assert.True(root.GetProperty("probes").GetProperty("syscall").GetBoolean());
        var call = Assert.Single(root.GetProperty("mount_syscalls").EnumerateArray());
        Assert.Equal(7000, call.GetProperty("tid").GetInt32());
        Assert.Equal(0, call.GetProperty("stack").GetArrayLength());
        Assert.True(call.GetProperty("hung").GetBoolean());
        Assert.Contains("Probe 'stack' refused", table.Stdout);
    }

    [Fact]
    public void AProcRootThatCannotBeListedIsAClearErrorNotACrash()
    {
        using var tree = Fixtures.CopyToTemp("no-stack");
        MakeReadableByAll(tree.Path);
        // Searchable but not listable: the options check passes (it is a directory), listing the pids fails.
        File.SetUnixFileMode(tree.Path, (UnixFileMode)0b111_001_001);

        var scan = NfsWatchProcess.Run(["scan", "--procfs", tree.Path], prefix: NfsWatchProcess.AsNobody);

        Assert.Equal(2, scan.ExitCode);
        Assert.StartsWith($"nfswatch: the scan could not run: cannot list processes in {tree.Path}", scan.Stderr);
        Assert.DoesNotContain("Unhandled exception", scan.Stderr);
    }

    private static void MakeReadableByAll(string dir)
    {
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        foreach (string sub in Directory.GetDirectories(dir, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(sub, (UnixFileMode)0b111_101_101);
        foreach (string file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
    }
}
