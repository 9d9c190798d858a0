using NfsWatch.Core.Explanation;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// A stack pattern: frame patterns that must appear in order, innermost first, not necessarily adjacent;
/// "a|b" alternatives; '*' any run of characters; the wchan fallback when the stack cannot be read.
/// </summary>
public class StackPatternTests
{
    private static readonly string[] Stack =
        ["rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_run_exchange_id",
         "nfs4_discover_server_trunking", "nfs4_init_client", "nfs4_set_client", "path_mount", "__x64_sys_mount"];

    private static StackPattern Pattern(string frames, string? wchan = null) => new(frames.Split(' '), wchan);

    [Theory]
    [InlineData("rpc_wait_bit_killable", true)]
    [InlineData("__x64_sys_mount", true)]
    [InlineData("rpc_wait_bit_killable __rpc_execute", true)]
    // Gaps are allowed ...
    [InlineData("rpc_wait_bit_killable nfs4_init_client", true)]
    [InlineData("rpc_run_task nfs4_discover_server_trunking __x64_sys_mount", true)]
    [InlineData("rpc_wait_bit_killable __rpc_execute rpc_execute rpc_run_task nfs4_run_exchange_id nfs4_discover_server_trunking nfs4_init_client nfs4_set_client path_mount __x64_sys_mount", true)]
    // ... order is not.
    [InlineData("nfs4_init_client rpc_wait_bit_killable", false)]
    [InlineData("__x64_sys_mount path_mount", false)]
    // Each pattern consumes a frame: one frame cannot satisfy two patterns.
    [InlineData("rpc_execute rpc_execute", false)]
    [InlineData("nfs_wait_client_init_complete", false)]
    [InlineData("rpc_wait_bit_killable nfs_get_client", false)]
    // Names match whole, not as prefixes or substrings.
    [InlineData("rpc_wait_bit", false)]
    [InlineData("rpc_execut", false)]
    [InlineData("execute", false)]
    // Alternatives.
    [InlineData("nfs_get_client|nfs4_set_client", true)]
    [InlineData("nfs4_set_client|nfs_get_client", true)]
    [InlineData("rpc_wait_bit_killable nfs41_init_clientid|nfs4_discover_server_trunking nfs4_init_client", true)]
    [InlineData("nfs41_init_clientid|nfs40_init_clientid", false)]
    // Wildcards.
    [InlineData("rpc_* nfs4_*", true)]
    [InlineData("*_sys_mount", true)]
    [InlineData("nfs4_*_client", true)]
    [InlineData("*", true)]
    [InlineData("* * * * * * * * * *", true)]
    [InlineData("* * * * * * * * * * *", false)]
    [InlineData("nfs3_*", false)]
    [InlineData("*trunking __x64_sys_mount|__arm64_sys_mount", true)]
    public void Matches(string frames, bool want)
    {
        Assert.Equal(want, Pattern(frames).Matches(Stack, wchan: null));
    }

    [Fact]
    public void RepeatedFramesNeedRepeatedPatterns()
    {
        string[] stack = ["a", "x", "a", "y"];

        Assert.True(Pattern("a a").Matches(stack, null));
        Assert.True(Pattern("a a y").Matches(stack, null));
        Assert.False(Pattern("a a a").Matches(stack, null));
        Assert.False(Pattern("y a").Matches(stack, null));
    }

    [Theory]
    [InlineData("*mutex_lock*", "__mutex_lock_slowpath", true)]
    [InlineData("*mutex_lock*", "mutex_lock", true)]
    [InlineData("*mutex_lock*", "__mutex_lock.constprop.0", true)]
    [InlineData("*mutex_lock*", "mutex_lock_killable", true)]
    [InlineData("*mutex_lock*", "mutex_unlock", false)]
    [InlineData("*mutex_lock*", "mutex_loc", false)]
    [InlineData("mutex_lock*", "__mutex_lock_slowpath", false)]
    [InlineData("*mutex_lock", "__mutex_lock_slowpath", false)]
    [InlineData("*mutex_lock", "__mutex_lock", true)]
    // Prefix, suffix, middle.
    [InlineData("nfs*", "nfs4_call_sync_sequence", true)]
    [InlineData("nfs*", "nfs", true)]
    [InlineData("nfs*", "_nfs4_proc_getattr", false)]
    [InlineData("*_sys_mount", "__x64_sys_mount", true)]
    [InlineData("*_sys_mount", "__x64_sys_mount_setattr", false)]
    [InlineData("rpc_*_helper", "rpc_call_null_helper", true)]
    [InlineData("rpc_*_helper", "rpc_helper", false)]
    [InlineData("rpc_*_helper", "rpc__helper", true)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("a*b*c", "abcd", false)]
    [InlineData("**", "", true)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    // No wildcard: exact, case-sensitive.
    [InlineData("rpc_execute", "rpc_execute", true)]
    [InlineData("rpc_execute", "RPC_EXECUTE", false)]
    [InlineData("nfs4_try_get_tree", "nfs4_try_get_tree.cold", false)]
    [InlineData("nfs_init_server*", "nfs_init_server.isra.0", true)]
    public void Glob(string pattern, string text, bool want)
    {
        Assert.Equal(want, StackPattern.Glob(pattern, text));
    }

    [Fact]
    public void GlobWithManyStarsOnALongNameEnds()
    {
        // Not a timing test: at most pattern x text steps (60 x 20 000 here) ends at once, where trying every
        // split for each of 30 stars would not end at all. The bound only separates those two.
        string text = new('a', 20_000);
        string pattern = string.Concat(Enumerable.Repeat("*a", 30)) + "b";
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.False(StackPattern.Glob(pattern, text));
        Assert.True(StackPattern.Glob(string.Concat(Enumerable.Repeat("*a", 30)), text));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
    }

    [Theory]
    [InlineData("nfs_wait_client_init_complete", "nfs_wait_client_init_complete", true)]
    [InlineData("nfs_wait_client_init_complete", "rpc_wait_bit_killable", false)]
    [InlineData("rpc_wait_bit_killable|nfs_wait_client_init_complete", "nfs_wait_client_init_complete", true)]
    [InlineData("nfs_wait_*", "nfs_wait_client_init_complete", true)]
    [InlineData("nfs_wait_client_init_complete", null, false)]
    [InlineData(null, "nfs_wait_client_init_complete", false)]
    [InlineData(null, null, false)]
    public void EmptyStackFallsBackToWchan(string? patternWchan, string? threadWchan, bool want)
    {
        var pattern = Pattern("nfs_wait_client_init_complete nfs_get_client", patternWchan);

        Assert.Equal(want, pattern.Matches([], threadWchan));
    }

    [Fact]
    public void WchanIsNotUsedWhenTheStackIsKnown()
    {
        var pattern = Pattern("nfs_wait_client_init_complete nfs_get_client", "nfs_wait_client_init_complete");

        Assert.False(pattern.Matches(Stack, "nfs_wait_client_init_complete"));
    }
}
