using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// The ECS task of a hung thread's container. The real ECS agent cannot run here (it needs AWS); a stand-in
/// serves its introspection API's /v1/tasks document on loopback.
/// </summary>
public class EcsTaskTests
{
    private const string Container = "7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100";
    private const string Arn = "arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5";

    [Fact]
    public void TheWaitersContainerIsNamedByItsEcsTask()
    {
        using var agent = new StandInEcsAgent($$"""
            {"Tasks":[{"Arn":"{{Arn}}","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","Family":"web","Version":"3",
              "Containers":[{"DockerId":"{{Container}}","DockerName":"ecs-web-3-app-e4b7","Name":"app"}]},
              {"Arn":"arn:aws:ecs:eu-west-1:123456789012:task/prod/ffff","Family":"other","Version":"1","Containers":[]}]}
            """);
        var have = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("head-of-line"), "--kmsg", "/dev/null", "--ecs-introspection", agent.Endpoint]);
        var table = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("head-of-line"), "--kmsg", "/dev/null", "--ecs-introspection", agent.Endpoint]);

        var waiter = JsonDocument.Parse(have.Stdout).RootElement.GetProperty("mount_syscalls").EnumerateArray().Single(t => t.GetProperty("tid").GetInt32() == 8200);
        Assert.Equal(Arn, waiter.GetProperty("ecs_task").GetString());
        Assert.Equal("web:3", waiter.GetProperty("ecs_task_family").GetString());
        Assert.Contains($"ECS task web:3 ({Arn})", table.Stdout);
        Assert.Equal(2, agent.Requests); // one fetch per scan: the JSON one and the table one
    }

    [Fact]
    public void AnAgentThatDoesNotAnswerNeverHoldsUpTheScan()
    {
        // A listener that accepts and never answers: the worst case for a client.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var watch = Stopwatch.StartNew();
        var have = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("head-of-line"), "--kmsg", "/dev/null",
            "--ecs-introspection", $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"]);
        watch.Stop();

        Assert.Equal(1, have.ExitCode);
        var waiter = JsonDocument.Parse(have.Stdout).RootElement.GetProperty("mount_syscalls").EnumerateArray().Single(t => t.GetProperty("tid").GetInt32() == 8200);
        Assert.Equal(JsonValueKind.Null, waiter.GetProperty("ecs_task").ValueKind);
        Assert.Equal(Container, waiter.GetProperty("container_id").GetString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"the scan took {watch.Elapsed} with a silent agent (its timeout is 1 s)");
    }

    // Whatever listens on the agent's port may answer with a body of any size: it is read as a stream and given up
    // past 1 MiB, with and without a Content-Length (a 400 MB answer once left the daemon at 460 MB of RSS).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AHugeAnswerIsGivenUpAfterOneMebibyte(bool withLength)
    {
        using var server = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        server.Start();
        long sent = 0;
        var serving = Task.Run(() =>
        {
            using var client = server.AcceptTcpClient();
            using var stream = client.GetStream();
            var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
                (withLength ? "Content-Length: 400000000\r\n" : "Connection: close\r\n") + "\r\n{\"Tasks\":[");
            stream.Write(head);
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"Arn\":\"x\",\"Containers\":[]},", 1000)));
            try
            {
                while (sent < 400_000_000) { stream.Write(chunk); sent += chunk.Length; }
            }
            catch (IOException) { /* the client gave up: what this test wants */ }
        });

        var have = NfsWatchProcess.Run(["scan", "--json", "--procfs", Fixtures.Proc("head-of-line"), "--kmsg", "/dev/null",
            "--ecs-introspection", $"127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}"]);

        Assert.Equal(1, have.ExitCode);
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        // 1 MiB read, plus what the sockets' buffers held when it stopped.
        Assert.True(sent < 16 << 20, $"{sent} bytes were sent before the scan gave up");
    }

    [Theory]
    [InlineData("off")]
    [InlineData("nowhere")]
    [InlineData(":51678")]
    public void TheOptionIsOffOnOrAnAddress(string value)
    {
        var have = NfsWatchProcess.Run(["scan", "--procfs", Fixtures.Proc("vanished"), "--ecs-introspection", value]);
        Assert.Equal(value == "off" ? 0 : 2, have.ExitCode);
        if (value != "off") Assert.Contains("--ecs-introspection", have.Stderr);
    }

    /// <summary>Serves one fixed /v1/tasks document on a free loopback port.</summary>
    private sealed class StandInEcsAgent : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _requests;

        public StandInEcsAgent(string tasksJson)
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Endpoint = $"127.0.0.1:{port}";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
                    Interlocked.Increment(ref _requests);
                    byte[] body = Encoding.UTF8.GetBytes(ctx.Request.Url!.AbsolutePath == "/v1/tasks" ? tasksJson : "{}");
                    ctx.Response.StatusCode = ctx.Request.Url.AbsolutePath == "/v1/tasks" ? 200 : 404;
                    await ctx.Response.OutputStream.WriteAsync(body);
                    ctx.Response.Close();
                }
            });
        }

        public string Endpoint { get; }
        public int Requests => _requests;

        public void Dispose() => _listener.Close();
    }
}
