namespace NfsWatch.Core.Detection;

/// <summary>
/// The mount-family system calls and their numbers on the machine the kernel runs. The new mount API
/// (open_tree 428 ... fspick 433, mount_setattr 442) has one number on every architecture; mount and
/// umount2 differ (arch/x86/entry/syscalls/syscall_64.tbl; include/uapi/asm-generic/unistd.h for arm64,
/// riscv64 and loongarch64; syscall_32.tbl and arch/arm/tools/syscall.tbl for 32-bit x86 and arm).
/// </summary>
public sealed class MountSyscalls
{
    private static readonly (int Number, string Name)[] Common =
    [
        (428, "open_tree"), (429, "move_mount"), (430, "fsopen"), (431, "fsconfig"),
        (432, "fsmount"), (433, "fspick"), (442, "mount_setattr"),
    ];

    /// <summary>
    /// Idle waits (x86_64, syscall_64.tbl): futex, epoll_wait, epoll_pwait, epoll_pwait2, poll, ppoll, select,
    /// pselect6, pause, nanosleep, clock_nanosleep, rt_sigsuspend, rt_sigtimedwait, wait4, waitid, accept,
    /// accept4, recvfrom, recvmsg, recvmmsg, semop, semtimedop, msgrcv, io_getevents, io_pgetevents.
    /// </summary>
    private static readonly int[] IdleX86_64 =
        [202, 232, 281, 441, 7, 271, 23, 270, 34, 35, 230, 130, 128, 61, 247, 43, 288, 45, 47, 299, 65, 220, 70, 208, 333];

    /// <summary>The same waits in the generic table (asm-generic/unistd.h: arm64, riscv64, loongarch64), which has no
    /// epoll_wait, poll, select or pause.</summary>
    private static readonly int[] IdleGeneric =
        [98, 22, 441, 73, 72, 101, 115, 133, 137, 260, 95, 202, 242, 207, 212, 243, 193, 192, 188, 4, 292];

    private readonly Dictionary<int, string> _names;
    private readonly HashSet<int> _idle;

    private MountSyscalls(string machine, bool known, int[] idle, params (int Number, string Name)[] specific)
    {
        Machine = machine;
        IsKnownMachine = known;
        _names = specific.Concat(Common).ToDictionary(e => e.Number, e => e.Name);
        _idle = [.. idle];
    }

    public string Machine { get; }

    /// <summary>False when the machine is not one whose mount and umount2 numbers are known: only the new mount API is watched.</summary>
    public bool IsKnownMachine { get; }

    public static IReadOnlyList<string> Names { get; } =
        ["mount", "umount2", .. Common.Select(c => c.Name)];

    public static MountSyscalls ForMachine(string machine) => machine switch
    {
        "x86_64" => new(machine, true, IdleX86_64, (165, "mount"), (166, "umount2")),
        "aarch64" or "arm64" or "riscv64" or "loongarch64" => new(machine, true, IdleGeneric, (40, "mount"), (39, "umount2")),
        // 32-bit tables: mount and umount2 are known; no idle waits are skipped there.
        "i386" or "i486" or "i586" or "i686" => new(machine, true, [], (21, "mount"), (52, "umount2")),
        _ when machine.StartsWith("armv", StringComparison.Ordinal) => new(machine, true, [], (21, "mount"), (52, "umount2")),
        _ => new(machine, false, []),
    };

    /// <summary>
    /// True for a system call that is an idle wait: a thread asleep in it waits for another thread, a timer,
    /// a signal, a child or a socket, interruptibly and outside file system code, so it can be neither a mount
    /// call nor a thread blocked on NFS. The scanner reads nothing more of such a thread (its stat included),
    /// which on a typical host is most threads. The one way such a wait touches a file system: a futex in a
    /// shared mapping of a file, whose page fault blocks before the wait starts; that thread is not reported.
    /// </summary>
    public bool IsIdleWait(int number) => _idle.Contains(number);

    /// <summary>The name of system call <paramref name="number"/> when it is a mount-family call.</summary>
    public bool TryGetName(int number, out string name) => _names.TryGetValue(number, out name!);
}
