using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/PID/task/TID/stack: function names, innermost first, in both the hidden- and full-address formats.</summary>
public class KernelStackTests
{
    // This machine (6.18): `cat /proc/self/stack`.
    private const string RealSelfStack =
        "[<0>] proc_pid_stack+0xb1/0x150\n" +
        "[<0>] proc_single_show+0x51/0xe0\n" +
        "[<0>] seq_read_iter+0x12f/0x490\n" +
        "[<0>] seq_read+0xfb/0x140\n" +
        "[<0>] vfs_read+0xbb/0x360\n" +
        "[<0>] ksys_read+0x66/0xe0\n" +
        "[<0>] do_syscall_64+0x71/0x280\n" +
        "[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n";

    // mount(2) of a bind mount through a FUSE mount whose server never reads /dev/fuse (tests/hang/fusehang.c);
    // frame names as seen on this machine, offsets illustrative.
    private const string FuseMountStack =
        "[<0>] fuse_get_req+0x1a5/0x2b0\n" +
        "[<0>] __fuse_simple_request+0x3c/0x2f0\n" +
        "[<0>] fuse_lookup_name+0xdd/0x220\n" +
        "[<0>] fuse_lookup+0x6e/0x1b0\n" +
        "[<0>] __lookup_slow+0x83/0x130\n" +
        "[<0>] walk_component+0xdb/0x150\n" +
        "[<0>] path_lookupat+0x6a/0x1a0\n" +
        "[<0>] filename_lookup+0xe4/0x1e0\n" +
        "[<0>] kern_path+0x35/0x60\n" +
        "[<0>] path_mount+0x4a3/0xae0\n" +
        "[<0>] __x64_sys_mount+0x11a/0x150\n" +
        "[<0>] do_syscall_64+0x71/0x280\n" +
        "[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n";

    private static readonly string[] FuseMountFrames =
    [
        "fuse_get_req", "__fuse_simple_request", "fuse_lookup_name", "fuse_lookup", "__lookup_slow", "walk_component",
        "path_lookupat", "filename_lookup", "kern_path", "path_mount", "__x64_sys_mount", "do_syscall_64",
        "entry_SYSCALL_64_after_hwframe",
    ];

    // The VM tier (tests/vm): mount(2) against a black-hole NFS server (Debian 6.1.0-56-amd64), waiting for the
    // first RPC NULL ping inside rpc_create. Frame order as recorded there; offsets illustrative.
    private const string NfsNoAnswerStack =
        "[<0>] rpc_wait_bit_killable+0xd/0x60 [sunrpc]\n" +
        "[<0>] __rpc_execute+0x120/0x430 [sunrpc]\n" +
        "[<0>] rpc_execute+0xa6/0xd0 [sunrpc]\n" +
        "[<0>] rpc_run_task+0x15a/0x1b0 [sunrpc]\n" +
        "[<0>] rpc_call_null_helper+0x7d/0xb0 [sunrpc]\n" +
        "[<0>] rpc_create_xprt+0x11e/0x180 [sunrpc]\n" +
        "[<0>] rpc_create+0x10e/0x200 [sunrpc]\n" +
        "[<0>] nfs_create_rpc_client+0x14d/0x190 [nfs]\n" +
        "[<0>] nfs4_alloc_client+0x224/0x300 [nfsv4]\n" +
        "[<0>] nfs_get_client+0x1c8/0x3d0 [nfs]\n" +
        "[<0>] nfs4_set_client+0xfb/0x180 [nfsv4]\n" +
        "[<0>] nfs4_create_server+0x13a/0x3a0 [nfsv4]\n" +
        "[<0>] nfs4_try_get_tree+0x33/0xb0 [nfsv4]\n" +
        "[<0>] vfs_get_tree+0x25/0xd0\n" +
        "[<0>] path_mount+0x6f5/0xa60\n" +
        "[<0>] __x64_sys_mount+0x103/0x140\n" +
        "[<0>] do_syscall_64+0x5b/0xc0\n" +
        "[<0>] entry_SYSCALL_64_after_hwframe+0x64/0xce\n";

    private static readonly string[] NfsNoAnswerFrames =
    [
        "rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "rpc_call_null_helper",
        "rpc_create_xprt", "rpc_create", "nfs_create_rpc_client", "nfs4_alloc_client", "nfs_get_client",
        "nfs4_set_client", "nfs4_create_server", "nfs4_try_get_tree", "vfs_get_tree", "path_mount",
        "__x64_sys_mount", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
    ];

    // The VM tier (tests/vm): a later mount queued behind an initialising client, and mount A waiting for
    // EXCHANGE_ID (4.1) behind a ping-only server.
    private const string NfsWaiterStack =
        "[<0>] nfs_wait_client_init_complete+0x4f/0x90 [nfs]\n" +
        "[<0>] nfs_get_client+0x31b/0x3d0 [nfs]\n" +
        "[<0>] nfs4_set_client+0xfb/0x180 [nfsv4]\n" +
        "[<0>] nfs4_create_server+0x13a/0x3a0 [nfsv4]\n" +
        "[<0>] nfs4_try_get_tree+0x33/0xb0 [nfsv4]\n" +
        "[<0>] vfs_get_tree+0x25/0xd0\n" +
        "[<0>] path_mount+0x6f5/0xa60\n" +
        "[<0>] __x64_sys_mount+0x103/0x140\n" +
        "[<0>] do_syscall_64+0x5b/0xc0\n" +
        "[<0>] entry_SYSCALL_64_after_hwframe+0x64/0xce\n";

    private const string NfsExchangeIdStack =
        "[<0>] rpc_wait_bit_killable+0xd/0x60 [sunrpc]\n" +
        "[<0>] __rpc_execute+0x120/0x430 [sunrpc]\n" +
        "[<0>] rpc_execute+0xa6/0xd0 [sunrpc]\n" +
        "[<0>] rpc_run_task+0x15a/0x1b0 [sunrpc]\n" +
        "[<0>] nfs4_run_exchange_id+0x1d2/0x2b0 [nfsv4]\n" +
        "[<0>] _nfs4_proc_exchange_id+0x30/0x390 [nfsv4]\n" +
        "[<0>] nfs41_discover_server_trunking+0x1c/0xa0 [nfsv4]\n" +
        "[<0>] nfs4_discover_server_trunking+0x72/0x2a0 [nfsv4]\n" +
        "[<0>] nfs4_init_client+0x11a/0x1a0 [nfsv4]\n" +
        "[<0>] nfs4_set_client+0xfb/0x180 [nfsv4]\n";

    // Kernels before 4.x print full addresses and end with a "-1" frame; names as on an NFS hang of that era.
    private const string OldFormatStack =
        "[<ffffffffc0a1b2c3>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n" +
        "[<ffffffffc0a1c4d5>] __rpc_execute+0x14f/0x430 [sunrpc]\n" +
        "[<ffffffffc0a1e6f7>] rpc_execute+0x5e/0xa0 [sunrpc]\n" +
        "[<ffffffffc0a11234>] rpc_run_task+0x70/0x90 [sunrpc]\n" +
        "[<ffffffffc0c2a345>] nfs4_call_sync_sequence+0x51/0x80 [nfsv4]\n" +
        "[<ffffffffc0c2b456>] _nfs4_proc_getattr+0xbc/0xd0 [nfsv4]\n" +
        "[<ffffffffc0c34567>] nfs4_proc_getattr+0x57/0xd0 [nfsv4]\n" +
        "[<ffffffffc0b05678>] __nfs_revalidate_inode+0x98/0x2b0 [nfs]\n" +
        "[<ffffffffc0b06789>] nfs_getattr+0x9f/0x160 [nfs]\n" +
        "[<ffffffff812034ab>] vfs_getattr_nosec+0x2b/0x40\n" +
        "[<ffffffff812035cd>] vfs_fstatat+0x5c/0xb0\n" +
        "[<ffffffff81203bef>] SYSC_newstat+0x1f/0x40\n" +
        "[<ffffffff81203d0e>] SyS_newstat+0xe/0x10\n" +
        "[<ffffffff817f1a23>] entry_SYSCALL_64_fastpath+0x16/0x71\n" +
        "[<ffffffffffffffff>] 0xffffffffffffffff\n";

    private static readonly string[] OldFormatFrames =
    [
        "rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_call_sync_sequence",
        "_nfs4_proc_getattr", "nfs4_proc_getattr", "__nfs_revalidate_inode", "nfs_getattr", "vfs_getattr_nosec",
        "vfs_fstatat", "SYSC_newstat", "SyS_newstat", "entry_SYSCALL_64_fastpath",
    ];

    // A thread in poll(2), and compiler-cloned functions (GCC .constprop/.isra/.part/.cold suffixes), printed
    // and kept exactly as the kernel prints them.
    private const string ClonedFunctionsStack =
        "[<0>] do_sys_poll+0x3f5/0x5a0\n" +
        "[<0>] poll_schedule_timeout.constprop.0+0x44/0x70\n" +
        "[<0>] nfs_lookup_revalidate_dentry.isra.0+0x120/0x2c0 [nfs]\n" +
        "[<0>] rpc_wait_bit_killable.part.0+0xd/0x60 [sunrpc]\n" +
        "[<0>] xs_tcp_setup_socket.cold+0x5/0x1f [sunrpc]\n" +
        "[<0>] __se_sys_poll.constprop.0.isra.0+0x1/0x2\n";

    public static TheoryData<string, string[]> Stacks => new()
    {
        {
            RealSelfStack,
            [
                "proc_pid_stack", "proc_single_show", "seq_read_iter", "seq_read", "vfs_read", "ksys_read",
                "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
            ]
        },
        { FuseMountStack, FuseMountFrames },
        { FuseMountStack.TrimEnd('\n'), FuseMountFrames },
        { NfsNoAnswerStack, NfsNoAnswerFrames },
        {
            NfsWaiterStack,
            [
                "nfs_wait_client_init_complete", "nfs_get_client", "nfs4_set_client", "nfs4_create_server",
                "nfs4_try_get_tree", "vfs_get_tree", "path_mount", "__x64_sys_mount", "do_syscall_64",
                "entry_SYSCALL_64_after_hwframe",
            ]
        },
        {
            NfsExchangeIdStack,
            [
                "rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_run_task", "nfs4_run_exchange_id",
                "_nfs4_proc_exchange_id", "nfs41_discover_server_trunking", "nfs4_discover_server_trunking",
                "nfs4_init_client", "nfs4_set_client",
            ]
        },
        { OldFormatStack, OldFormatFrames },
        {
            ClonedFunctionsStack,
            [
                "do_sys_poll", "poll_schedule_timeout.constprop.0", "nfs_lookup_revalidate_dentry.isra.0",
                "rpc_wait_bit_killable.part.0", "xs_tcp_setup_socket.cold", "__se_sys_poll.constprop.0.isra.0",
            ]
        },
        { "", [] },
        { "\n", [] },
        { "\n\n\n", [] },
        { "[<ffffffffffffffff>] 0xffffffffffffffff\n", [] },
        // Garbage lines between frames are skipped; the frames around them are kept in order.
        {
            "[<0>] fuse_get_req+0x1a5/0x2b0\n" +
            "garbage\n" +
            "\n" +
            "[<0>]\n" +
            "[<0>] \n" +
            "[<0>] +0x1/0x2\n" +
            "[<0>] 0xffffffffc0a1b2c3\n" +
            "[<0>] bad-name+0x1/0x2\n" +
            "[<0>] b\u00e4d+0x1/0x2\n" +
            "\0\0\0\n" +
            "[<0>] fuse_lookup+0x6e/0x1b0\n",
            ["fuse_get_req", "fuse_lookup"]
        },
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Parse_Stacks(string text, string[] want)
    {
        var have = KernelStack.Parse(ProcText.Utf8(text));
        Assert.Equal(want, have);
    }

    [Fact]
    public void Parse_OldFormatDropsTheTerminatorFrame()
    {
        var have = KernelStack.Parse(ProcText.Latin1(OldFormatStack));
        Assert.Equal(14, have.Count);
        Assert.Equal("entry_SYSCALL_64_fastpath", have[^1]);
        Assert.DoesNotContain(have, f => f.StartsWith("0x", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[<0>] rpc_wait_bit_killable+0xd/0x70 [sunrpc]", "rpc_wait_bit_killable")]
    [InlineData("[<ffffffffc0a1b2c3>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]", "rpc_wait_bit_killable")]
    [InlineData("[<0>] poll_schedule_timeout.constprop.0+0x44/0x70", "poll_schedule_timeout.constprop.0")]
    [InlineData("[<0>] nfs_lookup_revalidate_dentry.isra.0+0x120/0x2c0 [nfs]", "nfs_lookup_revalidate_dentry.isra.0")]
    [InlineData("[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e", "entry_SYSCALL_64_after_hwframe")]
    [InlineData("[<0>] __x64_sys_mount+0x11a/0x150", "__x64_sys_mount")]
    [InlineData("[<0>] __arm64_sys_mount+0x1c0/0x2a0", "__arm64_sys_mount")]
    [InlineData("[<0>] foo$bar+0x1/0x2", "foo$bar")]
    [InlineData("[<0>] schedule", "schedule")]                        // no offset
    [InlineData("[<0>] schedule [mod]", "schedule")]
    [InlineData("[<0>]   schedule+0x1/0x2  ", "schedule")]             // extra spaces
    [InlineData("[<ffffffffffffffff>] 0xffffffffffffffff", null)]      // old terminator
    [InlineData("[<0>] 0xffffffffc0a1b2c3", null)]                     // unresolved address
    [InlineData("[<0>] ", null)]
    [InlineData("[<0>]", null)]
    [InlineData("", null)]
    [InlineData("rpc_wait_bit_killable+0xd/0x70", null)]              // no "] "
    [InlineData("[<0>] +0xd/0x70", null)]                             // no name
    [InlineData("[<0>] bad-name+0x1/0x2", null)]
    [InlineData("[<0>] bad/name+0x1/0x2", null)]
    [InlineData("[<0>] na\u00efve+0x1/0x2", null)]                     // non-ASCII
    [InlineData("[<0>] a\tb+0x1/0x2", null)]
    [InlineData("[<0>] name\r", null)]
    public void ParseFrame(string line, string? want)
    {
        Assert.Equal(want, KernelStack.ParseFrame(ProcText.Utf8(line)));
    }

    [Fact]
    public void Parse_InvalidUtf8AndNulsAreSkipped()
    {
        byte[] text =
        [
            .. "[<0>] fuse_get_req+0x1/0x2\n"u8,
            .. ProcText.Latin1("[<0>] f\xff\xfeo+0x1/0x2\n"),
            0xff, 0xfe, (byte)'\n',
            .. "[<0>] fu\0se+0x1/0x2\n"u8,
            .. "[<0>] fuse_lookup+0x1/0x2"u8,
        ];
        string[] want = ["fuse_get_req", "fuse_lookup"];
        Assert.Equal(want, KernelStack.Parse(text));
    }

    [Fact]
    public void Parse_HostileInput_NeverThrows()
    {
        byte[][] seeds =
        [
            ProcText.Latin1(FuseMountStack),
            ProcText.Latin1(OldFormatStack),
            ProcText.Latin1(ClonedFunctionsStack),
        ];
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(seeds), input =>
        {
            var frames = KernelStack.Parse(input);
            foreach (var frame in frames)
            {
                Assert.NotEmpty(frame);
                Assert.False(frame.StartsWith("0x", StringComparison.Ordinal), frame);
                Assert.All(frame, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$', frame));
            }
        });
    }
}
