using System.Text.Json;
using NfsWatch.Core.Report;

namespace NfsWatch.Hosting;

/// <summary>An ECS task as the agent's introspection API names it.</summary>
public sealed record EcsTask(string Arn, string Family, string? Version);

/// <summary>
/// Which ECS task a container belongs to, from the ECS agent's introspection endpoint (GET /v1/tasks on
/// 127.0.0.1:51678 when enabled). It is fetched in the background with a short timeout and only read from a
/// cache while scanning: the endpoint being slow or down never slows a scan.
/// </summary>
public sealed class EcsTasks : IDisposable
{
    public const string DefaultEndpoint = Configuration.NfsWatchOptions.DefaultEcsEndpoint;
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    /// <summary>The largest answer read: the agent's list of a host's tasks is a few KiB; anything listening on the port could send more.</summary>
    public const int MaxResponseBytes = 1 << 20;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(1), MaxResponseContentBufferSize = MaxResponseBytes };
    private readonly Uri _uri;
    private volatile IReadOnlyDictionary<string, EcsTask> _byContainer = new Dictionary<string, EcsTask>();
    private volatile IReadOnlyDictionary<string, ContainerTask> _containerTasks = new Dictionary<string, ContainerTask>();

    public EcsTasks(string endpoint) => _uri = new Uri($"http://{endpoint}/v1/tasks");

    /// <summary>Why the last refresh failed, or null.</summary>
    public string? Problem { get; private set; }

    public EcsTask? Of(string? containerId) =>
        containerId is not null && _byContainer.TryGetValue(containerId, out var task) ? task : null;

    /// <summary>The tasks of the last refresh, by container id, as reports name them ("family:revision").</summary>
    public IReadOnlyDictionary<string, ContainerTask> ContainerTasks() => _containerTasks;

    /// <summary>
    /// Asks the agent again. The answer is read as a stream and given up past <see cref="MaxResponseBytes"/>, so a
    /// huge body from whatever listens on that port costs no memory; any failure keeps the last answer and says why.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancel = default)
    {
        try
        {
            using var response = await _http.GetAsync(_uri, HttpCompletionOption.ResponseHeadersRead, cancel);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
                throw new InvalidDataException($"the answer is {response.Content.Headers.ContentLength} bytes, more than the {MaxResponseBytes >> 20} MiB read");
            using var body = await response.Content.ReadAsStreamAsync(cancel);
            var buffer = new byte[64 * 1024];
            using var read = new MemoryStream();
            for (int n; (n = await body.ReadAsync(buffer, cancel)) > 0;)
            {
                if (read.Length + n > MaxResponseBytes) throw new InvalidDataException($"the answer is more than the {MaxResponseBytes >> 20} MiB read");
                read.Write(buffer, 0, n);
            }
            var tasks = Parse(read.ToArray());
            _byContainer = tasks;
            _containerTasks = tasks.ToDictionary(p => p.Key, p => new ContainerTask(p.Value.Arn, p.Value.Version is null ? p.Value.Family : $"{p.Value.Family}:{p.Value.Version}"));
            Problem = null;
        }
        // The agent, or whatever answers on its port, can fail any way: a scan goes on without task names.
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            Problem = $"{_uri}: {e.Message}";
        }
    }

    /// <summary>{"Tasks": [{"Arn", "Family", "Version", "Containers": [{"DockerId", ...}]}]} (ECS agent introspection API).</summary>
    public static Dictionary<string, EcsTask> Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var map = new Dictionary<string, EcsTask>();
        if (!doc.RootElement.TryGetProperty("Tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Array) return map;
        foreach (var t in tasks.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("Arn", out var arn) || arn.ValueKind != JsonValueKind.String) continue;
            var task = new EcsTask(arn.GetString()!, t.TryGetProperty("Family", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "",
                t.TryGetProperty("Version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null);
            if (!t.TryGetProperty("Containers", out var containers) || containers.ValueKind != JsonValueKind.Array) continue;
            foreach (var c in containers.EnumerateArray())
                if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("DockerId", out var id) && id.ValueKind == JsonValueKind.String)
                    map[id.GetString()!] = task;
        }
        return map;
    }

    public void Dispose() => _http.Dispose();
}
