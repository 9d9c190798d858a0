using System.Text;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Core.Report;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// Explanation never crashes and never guesses: truncated and mixed real stacks, raw addresses, unknown frames,
/// random wait-for graphs. An unknown shape gets no signature, never a wrong one.
/// </summary>
public class ExplanationRobustnessTests
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("NFSWATCH_FUZZ_SEED"), out int seed) ? seed : 20261206;

    /// <summary>Every real stack the tests hold: the corpus's (/proc form) and the VM tier's captures.</summary>
    private static readonly Lazy<List<string>> RealStacks = new(() =>
        [.. Directory.GetFiles(Path.Combine(Fixtures.SourceTestData, "corpus"), "*.stack", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Fixtures.SourceTestData, "stacks"), "*.txt", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).Select(File.ReadAllText)]);

    private static ObservedThread Thread(int tid, IReadOnlyList<string> stack, IReadOnlyList<string?> modules, bool mount, char state = 'D', double stuck = 300) => new()
    {
        Pid = tid, Tid = tid, StartTimeTicks = 100, Comm = "t" + tid, Kind = mount ? ThreadKind.MountCall : ThreadKind.Blocked,
        Syscall = mount ? "mount" : "newfstatat", SyscallNumber = mount ? 165 : 262, Args = default, State = state,
        Wchan = stack.Count > 0 ? stack[0] : null, StuckSeconds = stuck, Hung = stuck >= 30, Stack = stack, StackModules = modules,
    };

    [Fact]
    public void TruncatedRealStacksParseAndMatchWithoutThrowing()
    {
        int checkedStacks = 0;
        foreach (string raw in RealStacks.Value)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(raw);
            // Cut after every line and in the middle of every line: a stack read from a task that is exiting, or a
            // buffer that ended early.
            var cuts = new List<int> { bytes.Length };
            for (int i = 0; i < bytes.Length; i++) if (bytes[i] == '\n') { cuts.Add(i + 1); if (i > 6) cuts.Add(i - 5); }
            foreach (int cut in cuts)
            {
                var frames = KernelStack.Parse(bytes.AsSpan(0, cut), out var modules);
                foreach (bool mount in new[] { true, false })
                {
                    var thread = Thread(1, frames, modules, mount);
                    _ = SignatureCatalog.Defaults.Match(thread, null, KernelVersion.TryParse("3.10.0"));
                    _ = SignatureCatalog.Defaults.Match(thread, "4.1", KernelVersion.TryParse("6.12.0"));
                    _ = FileSystems.FsTypeFromStack(frames, modules);
                    _ = thread.TopFrame;
                    checkedStacks++;
                }
            }
        }
        Assert.True(checkedStacks > 1000, $"{checkedStacks} stacks checked");
    }

    [Fact]
    public void RawAddressesModuleTagsAndArm64FramesParse()
    {
        const string raw = "[<ffffffffa0433948>] 0xffffffffa0433948\n[<0>] nfs4_discover_server_trunking+0x48/0x2c0 [nfsv4]\n" +
                           "[<ffff800008a1b2c4>] __switch_to+0xb4/0xec\n[<0>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n" +
                           "[<0>] el0_svc+0x28/0x90\ngarbage line without brackets\n[<0>] \n[<0>] f+\n";
        var frames = KernelStack.Parse(Encoding.ASCII.GetBytes(raw), out var modules);

        Assert.Equal(["nfs4_discover_server_trunking", "__switch_to", "rpc_wait_bit_killable", "el0_svc", "f"], frames);
        Assert.Equal(["nfsv4", null, "sunrpc", null, null], modules);
        // __switch_to (arm64 before 4.x) only says the thread sleeps: the frame it waits in is the next.
        Assert.Equal("rpc_wait_bit_killable", Thread(1, frames.Skip(1).ToList(), modules.Skip(1).ToList(), mount: false).TopFrame);
    }

    [Fact]
    public void AnUnknownShapeGetsNoSignature()
    {
        var random = new Random(Seed);
        string Name() => "xq" + string.Concat(Enumerable.Range(0, random.Next(3, 12)).Select(_ => (char)('a' + random.Next(26)))) + "_" + random.Next(1000);
        for (int i = 0; i < 2000; i++)
        {
            var stack = Enumerable.Range(0, random.Next(0, 30)).Select(_ => Name()).ToList();
            var thread = Thread(1, stack, [], mount: random.Next(2) == 0) with { Wchan = stack.Count == 0 ? Name() : stack[0] };
            Assert.Null(SignatureCatalog.Defaults.Match(thread, null, null));
        }
    }

    /// <summary>
    /// Random threads made of real stacks, in random states and ages: the pipeline builds a consistent report.
    /// Every link names a thread of the report or a process outside it, a waiter has a link, and an action ends
    /// only a thread of the report.
    /// </summary>
    [Fact]
    public void RandomWaitForGraphsGiveConsistentReports()
    {
        var random = new Random(Seed);
        using var empty = new TempTree();
        var pipeline = new ReportPipeline(new ProcFs(empty.Path), SignatureCatalog.Defaults, reader: null, TimeSpan.FromSeconds(15));
        var parsed = RealStacks.Value.Select(s => (Frames: KernelStack.Parse(Encoding.ASCII.GetBytes(s), out var m), Modules: m)).ToList();
        for (int round = 0; round < 300; round++)
        {
            int n = random.Next(1, 12);
            var threads = Enumerable.Range(0, n).Select(i =>
            {
                var (frames, modules) = parsed[random.Next(parsed.Count)];
                return Thread(1000 + i, frames, modules, mount: random.Next(2) == 0, state: "DSR"[random.Next(3)], stuck: random.Next(0, 4) * 100);
            }).ToList();
            var snapshot = new ScanSnapshot
            {
                Kernel = new KernelInfo(random.Next(2) == 0 ? "3.10.0-514.el7.x86_64" : "6.1.0-56-amd64", "#1", "x86_64"),
                ThresholdSeconds = 30, ScannedThreads = n,
                MountCalls = [.. threads.Where(t => t.Kind == ThreadKind.MountCall)], Blocked = [.. threads.Where(t => t.Kind == ThreadKind.Blocked)],
                NewlyHung = [], Probes = new Dictionary<string, bool>(), DeniedReads = new Dictionary<string, int>(),
                DeniedExamples = new Dictionary<string, string>(), Errors = new Dictionary<string, int>(), ErrorSamples = [],
                Duration = TimeSpan.Zero, FinishedAt = DateTimeOffset.UnixEpoch,
            };

            var report = pipeline.Build(snapshot, new KernelLogView(), [], new ReportInputs());

            var all = report.MountCalls.Concat(report.Blocked).ToList();
            var tids = all.Select(r => r.Tid).ToHashSet();
            Assert.All(report.MountCalls, r => Assert.Equal(ThreadKind.MountCall, r.Thread.Kind));
            Assert.Equal(snapshot.MountCalls.Count, report.MountCalls.Count);
            foreach (var r in all)
            {
                if (r.WaitsFor is { } on) Assert.True(tids.Contains(on.Tid), $"round {round}: {r.Tid} waits for {on.Tid}, not in the report");
                if (r.Role == "waiter") Assert.NotNull(r.WaitsFor);
                if (r.WaitsFor is not null) Assert.Equal(HangCause.ClientState, r.Cause);
                Assert.False(r.WaitsFor is not null && r.WaitsOn is not null);
                if (r.Action?.End is { } end) Assert.Contains(end.Pid, all.Select(a => a.Pid));
            }
            foreach (var action in report.Actions)
            {
                Assert.False(string.IsNullOrWhiteSpace(action.Summary));
                if (action.End is { } end) Assert.DoesNotContain(all, a => a.Pid == end.Pid && a.Thread.IsKernelThread);
            }
        }
    }
}
