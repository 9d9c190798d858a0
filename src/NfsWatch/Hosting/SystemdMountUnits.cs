using NfsWatch.Core.Report;
using Tmds.DBus.Protocol;

namespace NfsWatch.Hosting;

/// <summary>
/// systemd's view of mount and automount units, over D-Bus (org.freedesktop.systemd1, through
/// Tmds.DBus.Protocol): ListUnitsByPatterns for "*.mount" and "*.automount", and for each unit that is
/// activating, InactiveExitTimestampMonotonic (when it left "inactive"), to tell how long it has been trying.
/// A mount that hangs in the kernel leaves its unit activating; a mount that failed leaves it failed.
/// </summary>
public sealed class SystemdMountUnits : IAsyncDisposable
{
    private const string Systemd = "org.freedesktop.systemd1";
    private DBusConnection? _connection;

    /// <summary>Why the last query failed (no system bus, no systemd on it), or null.</summary>
    public string? Problem { get; private set; }

    public async Task<IReadOnlyList<MountUnit>?> ListAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string address = "";
        try
        {
            if (_connection is null)
            {
                address = DBusAddress.System ?? throw new InvalidOperationException("no system bus address");
                var connection = new DBusConnection(address);
                await connection.ConnectAsync().AsTask().WaitAsync(cancel.Token);
                _connection = connection;
            }
            var units = await ListUnitsAsync(_connection).WaitAsync(cancel.Token);
            var result = new List<MountUnit>();
            // systemd's monotonic timestamps are CLOCK_MONOTONIC in microseconds, as Stopwatch is on Linux.
            ulong now = (ulong)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
            foreach (var (name, active, sub, path) in units)
            {
                double seconds = 0;
                if (active == "activating")
                {
                    ulong since = await InactiveExitAsync(_connection, path).WaitAsync(cancel.Token);
                    if (since > 0 && now > since) seconds = (now - since) / 1e6;
                }
                result.Add(new MountUnit(name, active, sub, seconds));
            }
            Problem = null;
            return result;
        }
        catch (Exception e) when (e is DBusConnectionException or DBusErrorReplyException or InvalidOperationException or OperationCanceledException
                                       or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            Problem = e switch
            {
                OperationCanceledException or TimeoutException => $"systemd did not answer on the system bus within {timeout.TotalSeconds:0.#} s",
                DBusErrorReplyException reply => $"systemd on the system bus answered {reply.ErrorName}: {reply.Message}",
                _ => $"cannot reach the system bus at {address}: {e.Message}",
            };
            _connection?.Dispose();
            _connection = null;
            return null;
        }
    }

    private static Task<List<(string Name, string Active, string Sub, string Path)>> ListUnitsAsync(DBusConnection connection)
    {
        return connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            var list = new List<(string, string, string, string)>();
            // a(ssssssouso): name, description, load, active, sub, following, path, job id, job type, job path
            ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
            while (reader.HasNext(end))
            {
                reader.AlignStruct();
                string name = reader.ReadString();
                reader.ReadString();
                reader.ReadString();
                string active = reader.ReadString();
                string sub = reader.ReadString();
                reader.ReadString();
                string path = reader.ReadObjectPath().ToString();
                reader.ReadUInt32();
                reader.ReadString();
                reader.ReadObjectPath();
                list.Add((name, active, sub, path));
            }
            return list;
        }, null);

        MessageBuffer CreateMessage()
        {
            var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Systemd, path: "/org/freedesktop/systemd1",
                @interface: "org.freedesktop.systemd1.Manager", signature: "asas", member: "ListUnitsByPatterns");
            writer.WriteArray(Array.Empty<string>());
            writer.WriteArray(new[] { "*.mount", "*.automount" });
            return writer.CreateMessage();
        }
    }

    private static Task<ulong> InactiveExitAsync(DBusConnection connection, string path)
    {
        return connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) => m.GetBodyReader().ReadVariantValue().GetUInt64(), null);

        MessageBuffer CreateMessage()
        {
            var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Systemd, path: path, @interface: "org.freedesktop.DBus.Properties", signature: "ss", member: "Get");
            writer.WriteString("org.freedesktop.systemd1.Unit");
            writer.WriteString("InactiveExitTimestampMonotonic");
            return writer.CreateMessage();
        }
    }

    public ValueTask DisposeAsync()
    {
        _connection?.Dispose();
        return ValueTask.CompletedTask;
    }
}
