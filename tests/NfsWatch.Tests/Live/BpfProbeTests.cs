using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NfsWatch.Core.Bpf;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Live;

/// <summary>
/// The BPF probe on the running kernel, against genuinely hung calls on FUSE mounts of the tests' own: it finds the
/// same threads as the procfs walk, in every mount-family call and in blocked I/O; it records a call at its entry
/// (its age exact from then, its string arguments as the caller passed them); its map keeps nothing of calls that
/// returned, failed, or were killed mid-call; a full map, a program the verifier refuses, a missing libbpf or BTF,
/// or no privileges leave NfsWatch on procfs, saying why.
/// </summary>
[Collection("live")]
[Trait("Tier", "live")]
public class BpfProbeTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    private static readonly Lazy<string> Churn = new(() => HangBinary.Build("mountchurn"));

    /// <summary>The probe loaded in this process, as the daemon loads it; the live tier runs as root on a kernel with BTF.</summary>
    private static BpfProbe Load(int mapEntries = BpfProbe.DefaultMapEntries)
    {
        var proc = new ProcFs("/proc");
        var probe = BpfProbe.TryLoad(proc, KernelInfo.Read(proc).Machine, out string? problem, mapEntries);
        Assert.True(probe is not null, $"the BPF probe does not load on this host: {problem}");
        return probe!;
    }

    private static KernelCandidates Collect(BpfProbe probe)
    {
        var into = new KernelCandidates();
        Assert.True(probe.TryCollect(into, listTasks: true, out string? problem), problem);
        return into;
    }

    private static JsonElement Scan(string probe)
    {
        var have = NfsWatchProcess.Run(["scan", "--json", "--threshold", "1s", "--probe", probe]);
        Assert.True(have.ExitCode is 0 or 1, $"scan --probe {probe} exited {have.ExitCode}:\n{have.Stdout}\n{have.Stderr}");
        var root = JsonDocument.Parse(have.Stdout).RootElement.Clone();
        Assert.Equal(probe, root.GetProperty("watching").GetProperty("path").GetString());
        return root;
    }

    private static List<(int Tid, string? Syscall)> ThreadsOf(JsonElement scan, string list, int pid) =>
        [.. scan.GetProperty(list).EnumerateArray().Where(t => t.GetProperty("pid").GetInt32() == pid)
            .Select(t => (t.GetProperty("tid").GetInt32(), t.GetProperty("syscall").GetString())).OrderBy(t => t.Item1)];

    [Theory]
    [InlineData(HungMount.Call.Bind)]
    [InlineData(HungMount.Call.Cifs)]
    [InlineData(HungMount.Call.Umount2)]
    [InlineData(HungMount.Call.OpenTree)]
    [InlineData(HungMount.Call.FsConfig)]
    public void BpfFindsTheSameThreadsAsProcfsInEveryMountCallAndInBlockedIo(HungMount.Call call)
    {
        using var hang = new HungMount(secondThread: true, lifetimeSeconds: 60, call: call);
        hang.WaitUntilBlocked();
        // Blocked outside a mount call: stat's walk waits for the FUSE directory the hung call holds (D).
        using var stat = new StuckCommand("/usr/bin/stat", Path.Combine(hang.MountPoint, "file"));
        try
        {
            stat.WaitUntilBlocked();

            var bpf = Scan("bpf");
            var procfs = Scan("procfs");

            var calls = ThreadsOf(procfs, "mount_syscalls", hang.Pid);
            Assert.Equal([(hang.Tid, hang.SyscallName)], calls);
            Assert.Equal(calls, ThreadsOf(bpf, "mount_syscalls", hang.Pid));
            Assert.NotEmpty(ThreadsOf(procfs, "nfs_blocked", stat.Pid));
            Assert.Equal(ThreadsOf(procfs, "nfs_blocked", stat.Pid), ThreadsOf(bpf, "nfs_blocked", stat.Pid));
            // The iterator visited every thread, as the walk did (give or take the threads that came and went).
            int walked = procfs.GetProperty("scanned_threads").GetInt32(), visited = bpf.GetProperty("scanned_threads").GetInt32();
            Assert.True(visited > walked / 2 && visited < walked * 2, $"bpf visited {visited} threads, procfs walked {walked}");
        }
        finally { hang.Dispose(); }
    }

    [Fact]
    public void AProbeRecordsEachCallAtEntryWithItsOwnStringArgumentsWhichAreExplainedRedacted()
    {
        using var probe = Load();
        long before = Stopwatch.GetTimestamp();
        using var hang = new HungMount(lifetimeSeconds: 60, call: HungMount.Call.Cifs);
        long printed = Stopwatch.GetTimestamp();
        hang.WaitUntilBlocked();
        Thread.Sleep(1500);

        var call = Assert.Single(Collect(probe).Calls, c => c.Tid == hang.Tid);
        Assert.Equal(hang.Pid, call.Pid);
        Assert.Equal(165, call.Number);
        // The call entered after the hanger started, and about when it said it would (just before the test read its line).
        Assert.InRange(call.AgeSeconds, Stopwatch.GetElapsedTime(printed).TotalSeconds - 0.3, Stopwatch.GetElapsedTime(before).TotalSeconds);
        string Text(int index) => Encoding.UTF8.GetString(Assert.Single(call.Strings, s => s.Index == index).Bytes!);
        Assert.Equal("//127.0.0.9/share", Text(0));
        Assert.Equal(hang.MountPoint + "/sub/x", Text(1));
        Assert.Equal("cifs", Text(2));
        Assert.Equal("username=nfswatch,password=hunter2,vers=3.0", Text(4));

        // Explained with no reader of the target's memory at all: the strings are the probe's, redacted as any.
        var proc = new ProcFs("/proc");
        var scanner = new MountScanner(proc, TimeSpan.FromSeconds(1)) { Candidates = probe };
        var pipeline = new NfsWatch.Core.Report.ReportPipeline(proc, NfsWatch.Core.Explanation.SignatureCatalog.Load(null), reader: null, TimeSpan.FromSeconds(10));
        var report = pipeline.Build(scanner.Scan(), new NfsWatch.Core.Explanation.KernelLogView(), [], new NfsWatch.Core.Report.ReportInputs());
        var explained = Assert.Single(report.MountCalls, c => c.Thread.Tid == hang.Tid);
        Assert.True(explained.Thread.AgeIsExact);
        Assert.InRange(explained.StuckSeconds, call.AgeSeconds, Stopwatch.GetElapsedTime(before).TotalSeconds);
        Assert.Equal(("cifs", "//127.0.0.9/share", hang.MountPoint + "/sub/x"), (explained.FsType, explained.Source, explained.Target));
        Assert.Equal("username=nfswatch,password=***,vers=3.0", explained.Options);
        Assert.Equal("127.0.0.9", explained.Server);
    }

    [Fact]
    public async Task TheDaemonDatesACallFromItsEntryAndNamesItsArguments()
    {
        using var state = new TempTree();
        // A long interval: the walk would first see the call up to 3 s after it entered, the probe at its entry.
        using var daemon = new Daemon("1s", "3s", "--probe", "bpf", "--state-dir", state.Path, "--log", "console");
        await daemon.WaitForMetricsAsync(m => m.Contains("\nnfswatch_probe_available{probe=\"bpf\"} 1\n"), Soon, "the first scan through bpf");
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var hang = new HungMount(lifetimeSeconds: 60, call: HungMount.Call.Cifs);
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        hang.WaitUntilBlocked();

        // The calls the daemon hands to `nfswatch scan` after each scan: first seen when the call entered.
        var until = DateTime.UtcNow + Soon;
        TrackedCall? tracked = null;
        while (tracked is null && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
            string file = Path.Combine(state.Path, "calls");
            if (File.Exists(file)) tracked = TrackedCall.Parse(File.ReadAllText(file)).SingleOrDefault(c => c.Key.Tid == hang.Tid);
        }
        Assert.True(tracked is not null, $"the daemon never handed over thread {hang.Tid}:\n{daemon.Output}");
        Assert.InRange(tracked!.FirstSeen.ToUnixTimeMilliseconds(), before - 50, after + 300);

        while (!daemon.Output.Contains($"Thread {hang.Tid} of fusehang") && DateTime.UtcNow < until) await Task.Delay(50);
        string log = daemon.Output;
        Assert.Contains("Watching through bpf: mount calls from their system call tracepoints", log);
        Assert.Contains($"//127.0.0.9/share on {hang.MountPoint}/sub/x", log);
        Assert.DoesNotContain("hunter2", log);
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AWedgedProcessesCallIsExplainedWithoutReadingItsMemory()
    {
        const string Timeouts = "nfswatch_isolated_read_timeouts_total", Wedged = "nfswatch_wedged_processes";
        using var daemon = new Daemon("1s", "250ms", "--probe", "bpf", "--log", "console");
        string before = await daemon.WaitForMetricsAsync(m => m.Contains("\nnfswatch_probe_available{probe=\"bpf\"} 1\n"), Soon, "the first scan through bpf");
        int tid;
        using (var wedge = new WedgedProcess(lifetimeSeconds: 20))
        {
            tid = wedge.MountTid;
            // Reported, with its arguments in the log line, while nothing read its memory: no isolated read timed
            // out and the process is not counted as wedged, though a cat of its cmdline would block.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (!daemon.Output.Contains($"Thread {tid} of fusewedge") && DateTime.UtcNow < until) await Task.Delay(50);
            string m = await daemon.ScrapeAsync();
            Assert.True(Daemon.Sum(m, "nfswatch_hung_mount_threads", "syscall=\"mount\"") >= 1, m);
            Assert.Equal(Daemon.Sum(before, Timeouts), Daemon.Sum(m, Timeouts));
            Assert.Equal(0, Daemon.Sum(m, Wedged));
            Assert.Equal('D', wedge.StateOf(wedge.WriterTid)); // the wedge still held
        }
        string line = daemon.Output.Split('\n').First(l => l.Contains($"Thread {tid} of fusewedge"));
        Assert.Matches(@"mounting \S+ \S+/hang/sub on \S+/target", line);
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void NoEntryOutlivesItsCallAfterTenThousandShortCallsAndThreadsKilledMidCall()
    {
        using var probe = Load();
        ulong before = probe.Counters.Entered;

        var churn = TestHost.Run(Churn.Value, "10000", "4");
        Assert.True(churn.ExitCode == 0, churn.Stderr);
        int churnPid = int.Parse(churn.Stdout.Trim().Split(' ')[0]["pid=".Length..]);
        // Every call was recorded, and each was removed when it returned.
        Assert.True(probe.Counters.Entered - before >= 10_000, $"only {probe.Counters.Entered - before} calls recorded");
        Assert.DoesNotContain(Collect(probe).Calls, c => c.Pid == churnPid);

        var hang = new HungMount(threads: 50, lifetimeSeconds: 60);
        try
        {
            var tids = hang.BlockedThreads(50);
            Assert.Equal(tids.Order(), Collect(probe).Calls.Where(c => c.Pid == hang.Pid).Select(c => c.Tid).Order());
        }
        finally { hang.Dispose(); } // SIGKILL mid-call: each thread leaves through the exit tracepoint
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        List<InFlightCall> left;
        do left = Collect(probe).Calls.Where(c => c.Pid == hang.Pid || c.Pid == churnPid).ToList();
        while (left.Count > 0 && DateTime.UtcNow < until && Sleep());
        Assert.Empty(left);
        Assert.Equal(0UL, probe.Counters.MapFull);
    }

    private static bool Sleep()
    {
        Thread.Sleep(50);
        return true;
    }

    [Fact]
    public void AFullMapIsCountedAndThatScanWalksProcfsAndFindsEveryCall()
    {
        using var probe = Load(mapEntries: 4);
        using var hang = new HungMount(threads: 10, lifetimeSeconds: 60);
        var tids = hang.BlockedThreads(10);

        var scanner = new MountScanner(new ProcFs("/proc"), TimeSpan.FromSeconds(30)) { Candidates = probe };
        var snapshot = scanner.Scan();

        Assert.True(probe.Counters.MapFull >= 6, $"{probe.Counters.MapFull} calls counted as missed");
        Assert.Contains("did not fit the probe's map", snapshot.WatchingWhy);
        Assert.Equal(tids.Order(), snapshot.MountCalls.Where(c => c.Pid == hang.Pid).Select(c => c.Tid).Order());
    }

    [Fact]
    public void BetweenNamingsTheNamedThreadsAreReadAgainAndANewlyBlockedOneWaitsForTheNextNaming()
    {
        using var probe = Load();
        using var hang = new HungMount(lifetimeSeconds: 60);
        hang.WaitUntilBlocked();
        using var first = new StuckCommand("/usr/bin/stat", Path.Combine(hang.MountPoint, "a"));
        first.WaitUntilBlocked();
        var scanner = new MountScanner(new ProcFs("/proc"), TimeSpan.FromSeconds(1)) { Candidates = probe, NameEvery = 3 };
        bool Sees(ScanSnapshot s, StuckCommand c) => s.Blocked.Any(b => b.Pid == c.Pid);

        Assert.True(Sees(scanner.Scan(), first)); // scan 0 names it
        using var second = new StuckCommand("/usr/bin/stat", Path.Combine(hang.MountPoint, "b"));
        second.WaitUntilBlocked();
        var between = scanner.Scan(); // scan 1 reads the named threads again, and only those
        Assert.True(Sees(between, first));
        Assert.False(Sees(between, second));
        Assert.Contains(hang.Tid, between.MountCalls.Select(c => c.Tid)); // calls come from the map at every scan
        Assert.False(Sees(scanner.Scan(), second)); // scan 2
        Assert.True(Sees(scanner.Scan(), second)); // scan 3 names it
    }

    [Fact]
    public void AProgramTheVerifierRefusesLeavesNfsWatchOnProcfsWithTheVerifiersWord()
    {
        using var dir = new TempTree();
        string obj = Path.Combine(dir.Path, "refused.bpf.o");
        var clang = TestHost.Run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-I/usr/include/aarch64-linux-gnu",
            "-c", Path.Combine(TestHost.RepoRoot, "tests/NfsWatch.Tests/Live/bpf/refused.bpf.c"), "-o", obj);
        Assert.True(clang.ExitCode == 0, clang.Stderr);
        var proc = new ProcFs("/proc");

        var probe = BpfProbe.TryLoad(proc, KernelInfo.Read(proc).Machine, out string? problem, 16, File.ReadAllBytes(obj));

        Assert.Null(probe);
        Assert.StartsWith("verifier refused enter_mount: ", problem);
        Assert.True(problem!.Contains("out of bounds"), problem); // the verifier's own reason: the unbounded stack offset
    }

    [Fact]
    public void ForcedOffOrUnprivilegedTheProcfsPathIsUsedAndSaid()
    {
        var off = NfsWatchProcess.Run(["scan", "--probe", "procfs"]);
        Assert.Contains("Watching through procfs (bpf: not used (--probe procfs)).", off.Stdout);

        var auto = NfsWatchProcess.Run(["scan"], prefix: NfsWatchProcess.AsNobody);
        Assert.Contains("Watching through procfs (bpf: no CAP_BPF and CAP_PERFMON)", auto.Stdout);

        var forced = NfsWatchProcess.Run(["scan", "--probe", "bpf"], prefix: NfsWatchProcess.AsNobody);
        Assert.Equal(2, forced.ExitCode);
        Assert.Contains("--probe bpf: cannot use the BPF probe: no CAP_BPF and CAP_PERFMON", forced.Stderr);

        var root = NfsWatchProcess.Run(["scan"]);
        Assert.Contains("Watching through bpf (mount calls from their system call tracepoints, blocked threads from a task iterator).", root.Stdout);
    }

    /// <summary>A host without libbpf1, or whose kernel has no BTF: made so in a mount namespace of the scan's own.</summary>
    [Theory]
    [InlineData("libbpf", "libbpf.so.1 not found (install libbpf1)")]
    [InlineData("btf", "no BTF (/sys/kernel/btf/vmlinux is missing")]
    public void WithoutLibbpfOrBtfTheProcfsPathIsUsedAndSaid(string hidden, string reason)
    {
        string hide = hidden == "libbpf"
            ? $"mount --bind /dev/null {LibbpfPath()}"
            : "mount -t tmpfs none /sys/kernel/btf";
        string[] prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", hide + " && exec \"$0\" \"$@\""];

        var auto = NfsWatchProcess.Run(["scan"], prefix: prefix);
        Assert.True(auto.ExitCode is 0 or 1, auto.Stderr);
        Assert.Contains($"Watching through procfs (bpf: {reason}", auto.Stdout);

        var forced = NfsWatchProcess.Run(["scan", "--probe", "bpf"], prefix: prefix);
        Assert.Equal(2, forced.ExitCode);
        Assert.Contains(reason, forced.Stderr);
    }

    private static string LibbpfPath()
    {
        foreach (string dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" })
            if (File.Exists(Path.Combine(dir, "libbpf.so.1"))) return Path.Combine(dir, "libbpf.so.1");
        throw new FileNotFoundException("libbpf.so.1 is not installed");
    }
}
