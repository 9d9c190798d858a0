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

    private readonly Dictionary<int, string> _names;

    private MountSyscalls(string machine, bool known, params (int Number, string Name)[] specific)
    {
        Machine = machine;
        IsKnownMachine = known;
        _names = specific.Concat(Common).ToDictionary(e => e.Number, e => e.Name);
    }

    public string Machine { get; }

    /// <summary>False when the machine is not one whose mount and umount2 numbers are known: only the new mount API is watched.</summary>
    public bool IsKnownMachine { get; }

    public static IReadOnlyList<string> Names { get; } =
        ["mount", "umount2", .. Common.Select(c => c.Name)];

    public static MountSyscalls ForMachine(string machine) => machine switch
    {
        "x86_64" => new(machine, true, (165, "mount"), (166, "umount2")),
        "aarch64" or "arm64" or "riscv64" or "loongarch64" => new(machine, true, (40, "mount"), (39, "umount2")),
        "i386" or "i486" or "i586" or "i686" => new(machine, true, (21, "mount"), (52, "umount2")),
        _ when machine.StartsWith("armv", StringComparison.Ordinal) => new(machine, true, (21, "mount"), (52, "umount2")),
        _ => new(machine, false),
    };

    /// <summary>The name of system call <paramref name="number"/> when it is a mount-family call.</summary>
    public bool TryGetName(int number, out string name) => _names.TryGetValue(number, out name!);
}
