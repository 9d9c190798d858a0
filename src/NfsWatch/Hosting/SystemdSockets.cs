using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NfsWatch.Hosting;

/// <summary>
/// Sockets passed by systemd (socket activation, sd_listen_fds(3)): LISTEN_PID names this process and
/// LISTEN_FDS counts descriptors from 3 on. They are taken once; the variables are removed and the
/// descriptors marked close-on-exec, so the isolated reader children inherit neither. Kestrel then serves them
/// (KestrelServerOptions.ListenHandle, as its UseSystemd does), after they are checked to be listening stream sockets.
/// </summary>
public static partial class SystemdSockets
{
    private const int ListenFdsStart = 3, F_SETFD = 2, FD_CLOEXEC = 1, SOL_SOCKET = 1, SO_ACCEPTCONN = 30;

    /// <summary>A passed listening socket: its descriptor, which Kestrel takes over, and its address for the log.</summary>
    public sealed record Passed(int Descriptor, EndPoint? LocalEndPoint);

    /// <summary>The passed listening sockets; empty when systemd passed none (or passed them to another process).</summary>
    /// <exception cref="InvalidOperationException">A passed descriptor is not a listening socket.</exception>
    public static IReadOnlyList<Passed> Take()
    {
        string? pid = Environment.GetEnvironmentVariable("LISTEN_PID"), fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        if (pid is null || fds is null) return [];
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid) || forPid != Environment.ProcessId) return [];
        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1) return [];
        if (count > 64) throw new InvalidOperationException($"systemd passed {count} descriptors (LISTEN_FDS); /metrics takes at most 64 sockets");
        for (int fd = ListenFdsStart; fd < ListenFdsStart + count; fd++) _ = Fcntl(fd, F_SETFD, FD_CLOEXEC);
        var passed = new List<Passed>(count);
        for (int fd = ListenFdsStart; fd < ListenFdsStart + count; fd++)
        {
            // Looked at, not owned: Kestrel's listener owns the descriptor (KestrelServerOptions.ListenHandle).
            Socket socket;
            try
            {
                socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false));
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"descriptor {fd} that systemd passed is not a socket ({e.Message}): the socket unit must use ListenStream=", e);
            }
            using (socket)
            {
                bool listening;
                try { listening = socket.SocketType == SocketType.Stream && IsListening(socket); }
                catch (SocketException) { listening = false; }
                if (!listening)
                    throw new InvalidOperationException($"descriptor {fd} that systemd passed is not a listening stream socket: the socket unit must use ListenStream= with Accept=no");
                EndPoint? local;
                try { local = socket.LocalEndPoint; }
                catch (SocketException) { local = null; }
                passed.Add(new Passed(fd, local));
            }
        }
        return passed;
    }

    private static bool IsListening(Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        return socket.GetRawSocketOption(SOL_SOCKET, SO_ACCEPTCONN, value) == sizeof(int) && BitConverter.ToInt32(value) != 0;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
