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

    /// <summary>Idle waits on x86_64 (arch/x86/entry/syscalls/syscall_64.tbl).</summary>
    private static readonly (int Number, string Name)[] IdleX86_64 =
    [
        (202, "futex"), (232, "epoll_wait"), (281, "epoll_pwait"), (441, "epoll_pwait2"), (7, "poll"), (271, "ppoll"),
        (23, "select"), (270, "pselect6"), (34, "pause"), (35, "nanosleep"), (230, "clock_nanosleep"), (130, "rt_sigsuspend"),
        (128, "rt_sigtimedwait"), (61, "wait4"), (247, "waitid"), (43, "accept"), (288, "accept4"), (45, "recvfrom"),
        (47, "recvmsg"), (299, "recvmmsg"), (65, "semop"), (220, "semtimedop"), (70, "msgrcv"), (208, "io_getevents"),
        (333, "io_pgetevents"),
    ];

    /// <summary>The same waits in the generic table (include/uapi/asm-generic/unistd.h: arm64), which has no
    /// epoll_wait, poll, select or pause.</summary>
    private static readonly (int Number, string Name)[] IdleGeneric =
    [
        (98, "futex"), (22, "epoll_pwait"), (441, "epoll_pwait2"), (73, "ppoll"), (72, "pselect6"), (101, "nanosleep"),
        (115, "clock_nanosleep"), (133, "rt_sigsuspend"), (137, "rt_sigtimedwait"), (260, "wait4"), (95, "waitid"),
        (202, "accept"), (242, "accept4"), (207, "recvfrom"), (212, "recvmsg"), (243, "recvmmsg"), (193, "semop"),
        (192, "semtimedop"), (188, "msgrcv"), (4, "io_getevents"), (292, "io_pgetevents"),
    ];

    private readonly Dictionary<int, string> _names;
    private readonly HashSet<int> _idle;

    private MountSyscalls(string machine, bool known, (int Number, string Name)[] idle, params (int Number, string Name)[] specific)
    {
        Machine = machine;
        IsKnownMachine = known;
        _names = specific.Concat(Common).ToDictionary(e => e.Number, e => e.Name);
        IdleWaits = idle;
        _idle = [.. idle.Select(e => e.Number)];
    }

    /// <summary>The idle waits of this machine's table, by number and name (empty where none are skipped).</summary>
    public IReadOnlyList<(int Number, string Name)> IdleWaits { get; }

    /// <summary>Every mount-family call of this machine's table, by number and name.</summary>
    public IEnumerable<(int Number, string Name)> Calls => _names.Select(e => (e.Key, e.Value));

    public string Machine { get; }

    /// <summary>False when the machine is not one whose mount and umount2 numbers are known: only the new mount API is watched.</summary>
    public bool IsKnownMachine { get; }

    public static IReadOnlyList<string> Names { get; } =
        ["mount", "umount2", .. Common.Select(c => c.Name)];

    public static MountSyscalls ForMachine(string machine) => machine switch
    {
        "x86_64" => new(machine, true, IdleX86_64, (165, "mount"), (166, "umount2")),
        "aarch64" or "arm64" => new(machine, true, IdleGeneric, (40, "mount"), (39, "umount2")),
        // riscv64 and loongarch64 report the a7 register as the number even outside a system call (a page fault
        // on an NFS file can read as futex): no idle waits are skipped there.
        "riscv64" or "loongarch64" => new(machine, true, [], (40, "mount"), (39, "umount2")),
        // 32-bit tables: mount and umount2 are known; no idle waits are skipped there.
        "i386" or "i486" or "i586" or "i686" => new(machine, true, [], (21, "mount"), (52, "umount2")),
        _ when machine.StartsWith("armv", StringComparison.Ordinal) => new(machine, true, [], (21, "mount"), (52, "umount2")),
        _ => new(machine, false, []),
    };

    /// <summary>
    /// True for a system call that is an idle wait: a thread asleep in it waits for another thread, a timer,
    /// a signal, a child or a socket, interruptibly and outside file system code, so it is neither a mount call
    /// nor blocked on NFS. The scanner reads nothing more of such a thread (its stat included), which on a
    /// typical host is most threads. Only the number of a 64-bit task counts: a 32-bit task on a 64-bit kernel
    /// reports its own table's numbers (4 is write for arm32), and its stack lies below 4 GiB.
    /// </summary>
    /// <remarks>
    /// Given up: a thread in such a wait that faults on a page of a file on a dead NFS server, for a futex in a
    /// shared mapping of the file or a buffer mapped from it. A thread that blocks while its process exits
    /// (closing files flushes them, the wait still showing) is not skipped: the scanner reads every thread of
    /// an exiting process.
    /// </remarks>
    public bool IsIdleWait(int number, ulong stackPointer) => stackPointer > uint.MaxValue && _idle.Contains(number);

    /// <summary>The name of system call <paramref name="number"/> when it is a mount-family call.</summary>
    public bool TryGetName(int number, out string name) => _names.TryGetValue(number, out name!);
}
