using System.Runtime.InteropServices;

namespace NfsWatch.Core.Procfs;

/// <summary>
/// The running kernel as the proc tree tells it: sys/kernel/osrelease ("6.1.0-56-amd64"),
/// sys/kernel/version ("#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 ..."), and sys/kernel/arch ("x86_64",
/// "aarch64"; since Linux 5.12, otherwise the architecture this process runs on).
/// </summary>
public sealed record KernelInfo(string Release, string Version, string Machine)
{
    public static KernelInfo Read(ProcFs proc)
    {
        string release = proc.TryReadText("sys/kernel/osrelease", out _)?.Trim() ?? "unknown";
        string version = proc.TryReadText("sys/kernel/version", out _)?.Trim() ?? "unknown";
        string machine = proc.TryReadText("sys/kernel/arch", out _)?.Trim() ?? ProcessMachine();
        return new KernelInfo(release.Length > 0 ? release : "unknown", version.Length > 0 ? version : "unknown", machine);
    }

    /// <summary>The uname(2) machine name of the architecture this process runs on.</summary>
    public static string ProcessMachine() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        Architecture.X86 => "i686",
        Architecture.Arm => "armv7l",
        var other => other.ToString().ToLowerInvariant(),
    };
}
