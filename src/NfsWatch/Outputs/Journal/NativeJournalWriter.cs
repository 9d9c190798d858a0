using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NfsWatch.Outputs.Journal;

/// <summary>
/// journald's native protocol on its AF_UNIX datagram socket. An entry too large for one datagram goes in a
/// sealed memfd whose descriptor is sent alone (SCM_RIGHTS), as sd_journal_sendv does.
/// </summary>
public sealed unsafe partial class NativeJournalWriter : IJournalWriter, IDisposable
{
    public const string DefaultSocket = "/run/systemd/journal/socket";
    private const int EMSGSIZE = 90, ENOBUFS = 105;

    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly Lock _lock = new();

    public NativeJournalWriter(string socketPath = DefaultSocket)
    {
        SocketPath = socketPath;
        _endpoint = new UnixDomainSocketEndPoint(socketPath);
        // sd_journal_sendv returns 0 even when nothing listens (a datagram to a missing socket is dropped without an error): look for the socket.
        if (!File.Exists(socketPath)) return;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public string SocketPath { get; }

    public bool IsAvailable => _socket is not null;

    public bool TryWrite(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        if (_socket is null) return false;
        byte[] entry = JournalEntry.Serialize(fields);
        lock (_lock)
        {
            try
            {
                _socket.SendTo(entry, _endpoint);
                return true;
            }
            catch (SocketException e) when (e.NativeErrorCode is EMSGSIZE or ENOBUFS)
            {
                return SendAsMemfd(entry);
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    private bool SendAsMemfd(byte[] entry)
    {
        int fd = MemfdCreate("journal-entry", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) return false;
        try
        {
            fixed (byte* p = entry)
            {
                long written = 0;
                while (written < entry.Length)
                {
                    nint n = Write(fd, p + written, entry.Length - (nint)written);
                    if (n <= 0) return false;
                    written += n;
                }
            }
            // journald accepts only sealed memfds: it must be sure the content cannot change under it.
            if (Fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) return false;
            return SendFd(_socket!.Handle.ToInt32(), fd);
        }
        finally
        {
            Close(fd);
        }
    }

    private bool SendFd(int socket, int fd)
    {
        byte[] path = System.Text.Encoding.UTF8.GetBytes(SocketPath);
        var addr = new SockaddrUn { sun_family = 1 /* AF_UNIX */ };
        for (int i = 0; i < path.Length && i < 107; i++) addr.sun_path[i] = path[i];
        byte* control = stackalloc byte[24]; // CMSG_SPACE(sizeof(int)) on 64-bit
        new Span<byte>(control, 24).Clear();
        *(ulong*)control = 20;          // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = 1;       // SOL_SOCKET
        *(int*)(control + 12) = 1;      // SCM_RIGHTS
        *(int*)(control + 16) = fd;
        var msg = new MsgHdr
        {
            msg_name = &addr,
            msg_namelen = (uint)(2 + path.Length + 1),
            msg_iov = null,
            msg_iovlen = 0,
            msg_control = control,
            msg_controllen = 24,
        };
        return SendMsg(socket, &msg, 0) >= 0;
    }

    public void Dispose() => _socket?.Dispose();

    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrUn
    {
        public ushort sun_family;
        public fixed byte sun_path[108];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* msg_name;
        public uint msg_namelen;
        public void* msg_iov;
        public nuint msg_iovlen;
        public void* msg_control;
        public nuint msg_controllen;
        public int msg_flags;
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nint count);

    // fcntl is variadic; F_ADD_SEALS takes one int, passed in the same register as a fixed argument.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(int socket, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
