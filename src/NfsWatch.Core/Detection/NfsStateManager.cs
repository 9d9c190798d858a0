namespace NfsWatch.Core.Detection;

/// <summary>
/// The NFSv4 state manager: a kernel thread per server, started by nfs4_schedule_state_manager and named
/// "%s-manager" after the server's address (fs/nfs/nfs4state.c). A task's name holds 15 characters
/// (TASK_COMM_LEN), so for longer addresses the suffix, or part of the address, is cut: "10.0.0.5-manager",
/// "10.10.20.30-man", "192.168.100.200".
/// </summary>
public static class NfsStateManager
{
    private const int CommLength = 15;
    private const string Suffix = "-manager";

    /// <summary>True when a kernel thread's name is that of a state manager.</summary>
    public static bool IsNamed(string comm) => AddressOf(comm) is not null;

    /// <summary>The (possibly cut) server address in a state manager's name, or null when it is not one.</summary>
    public static string? AddressOf(string comm)
    {
        int dash = comm.LastIndexOf('-');
        string address;
        if (dash > 0)
        {
            string tail = comm[dash..];
            if (tail != Suffix && (comm.Length != CommLength || !Suffix.StartsWith(tail, StringComparison.Ordinal))) return null;
            address = comm[..dash];
        }
        else
        {
            // Only the address fits: it must fill the name and look like one.
            if (comm.Length != CommLength || !comm.Any(c => c is '.' or ':')) return null;
            address = comm;
        }
        return address.Length > 0 && address.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '[' or ']' or '%') ? address : null;
    }

    /// <summary>True when the manager named <paramref name="comm"/> serves <paramref name="serverAddress"/> (its name may be cut).</summary>
    public static bool Serves(string comm, string? serverAddress) =>
        serverAddress is not null && AddressOf(comm) is { } address && serverAddress.StartsWith(address, StringComparison.Ordinal);
}
