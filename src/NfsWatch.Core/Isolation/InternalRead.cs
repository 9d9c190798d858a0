using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Isolation;

/// <summary>
/// The child side of an isolated read: `nfswatch internal-read PROCFS PID mem ADDR...` or
/// `nfswatch internal-read PROCFS PID cmdline`. It does the reads that may block on a wedged target
/// (/proc/PID/mem, /proc/PID/cmdline) and prints one line per value: "ok HEX", "denied", "gone" or
/// "failed ERRNO". The parent kills it at a deadline; a child blocked in such a read is killable.
/// </summary>
public static class InternalRead
{
    public const string Verb = "internal-read";

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Count < 3 || !int.TryParse(args[1], out int pid)) return 2;
        var proc = new ProcFs(args[0]);
        byte[] buffer = new byte[4096];
        switch (args[2])
        {
            case "mem":
                foreach (string a in args.Skip(3))
                {
                    if (!ulong.TryParse(a, System.Globalization.NumberStyles.HexNumber, null, out ulong address))
                    {
                        output.WriteLine("failed 22");
                        continue;
                    }
                    Write(output, proc.TryReadMemoryString(pid, address, ref buffer), buffer);
                    output.Flush();
                }
                return 0;
            case "cmdline":
                Write(output, proc.TryReadFile($"{pid}/cmdline", ref buffer, 65536), buffer);
                return 0;
            default:
                return 2;
        }
    }

    private static void Write(TextWriter output, ProcReadResult read, byte[] buffer) => output.WriteLine(read.Status switch
    {
        ProcReadStatus.Ok => "ok " + Convert.ToHexString(buffer, 0, read.Length),
        ProcReadStatus.Denied => "denied",
        ProcReadStatus.Vanished => "gone",
        _ => $"failed {read.Errno}",
    });
}
