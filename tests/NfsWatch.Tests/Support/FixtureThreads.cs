namespace NfsWatch.Tests.Support;

/// <summary>Threads added to a copied fixture proc tree, for tests that need more of one kind.</summary>
public static class FixtureThreads
{
    /// <summary>
    /// mount(2) stuck looking up its target on a FUSE filesystem whose server does not answer: where any user can
    /// sit, before the kernel checks privileges (may_mount), with arguments of their choosing.
    /// </summary>
    public const string FuseTargetLookupStack = """
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

        """;

    /// <summary>
    /// Adds process <paramref name="pid"/> (comm "squat") to a copy of the nfs4-helper tree: a one-thread copy of its
    /// mount.nfs4 call (pid 2100), in the call since 600 s after boot (longer than 2100), with <paramref name="stack"/>.
    /// Returns the process's directory, where the caller puts its "mem".
    /// </summary>
    public static string AddMountCallLike2100(TempTree tree, int pid, string stack)
    {
        string real = Path.Combine(tree.Path, "2100", "task", "2100");
        string task = Path.Combine(tree.Path, $"{pid}", "task", $"{pid}");
        Directory.CreateDirectory(task);
        foreach (string f in new[] { "syscall", "wchan" }) File.Copy(Path.Combine(real, f), Path.Combine(task, f));
        File.WriteAllText(Path.Combine(task, "stack"), stack);
        File.WriteAllText(Path.Combine(task, "stat"), File.ReadAllText(Path.Combine(real, "stat"))
            .Replace("2100 (mount.nfs4)", $"{pid} (squat)").Replace(" 2100 2100 ", $" {pid} {pid} "));
        File.WriteAllText(Path.Combine(task, "sched"), File.ReadAllText(Path.Combine(real, "sched"))
            .Replace("658000.000000", "600000.000000").Replace("mount.nfs4 (2100", $"squat ({pid}"));
        return Path.Combine(tree.Path, $"{pid}");
    }
}
