using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NfsWatch.Bench;
using NfsWatch.Configuration;
using NfsWatch.Core.Isolation;
using NfsWatch.Hosting;
using NfsWatch.Outputs.Metrics;

// tests/bench/run drives this; see tests/bench/README.md. Not a test: it measures and prints ratios.
if (args.Length > 0 && args[0] == InternalRead.Verb) return InternalRead.Run(args[1..], Console.Out); // the isolated reader's child
if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: nfswatch-bench run --out DIR --floor PATH --threads PATH --nfswatch PATH [--exporter PATH|none] [--syscalls PATH]\n" +
                            "                          [--sizes 1000,10000,50000] [--live N] [--scans N] [--daemon-seconds N] [--work DIR]");
    return 2;
}
try
{
    return new Bench(Settings.Parse(args[1..])).Run();
}
catch (Exception e)
{
    // Caught, so that every finally block has run: the children stopped, the trees deleted.
    Console.Error.WriteLine($"nfswatch-bench: {e.Message}\n{e.StackTrace}");
    return 1;
}

namespace NfsWatch.Bench
{
    internal sealed record Settings(string Out, string Floor, string Threads, string NfsWatch, string? Exporter, int[] Sizes, int Live,
        int Scans, int DaemonSeconds, string Work, string? Syscalls = null)
    {
        public static Settings Parse(string[] args)
        {
            var map = new Dictionary<string, string>();
            for (int i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
            string Need(string name) => map.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
            string? exporter = map.GetValueOrDefault("exporter");
            return new Settings(Need("out"), Need("floor"), Need("threads"), Need("nfswatch"), exporter is null or "none" ? null : exporter,
                [.. (map.GetValueOrDefault("sizes") ?? "1000,10000,50000").Split(',').Select(int.Parse)],
                int.Parse(map.GetValueOrDefault("live") ?? "10000"), int.Parse(map.GetValueOrDefault("scans") ?? "20"),
                int.Parse(map.GetValueOrDefault("daemon-seconds") ?? "60"), map.GetValueOrDefault("work") ?? "/dev/shm/nfswatch-bench",
                map.GetValueOrDefault("syscalls"));
        }
    }

    /// <summary>The cost of one pass of a tool over every thread: median wall and CPU time (mean for the tools timed
    /// from outside: ps, process-exporter), mean allocation.</summary>
    internal sealed record Pass(string Tool, int Threads, double WallNs, double CpuNs, double? AllocBytes = null, string? Note = null)
    {
        public double CpuPerThreadNs => CpuNs / Math.Max(1, Threads);
        public double WallPerThreadNs => WallNs / Math.Max(1, Threads);
    }

    internal sealed record DaemonRun(string Probe, int Threads, int IntervalSeconds, double Seconds, double CpuFraction, double KernelShare, double RssMiB,
        double PeakRssMiB, double MeanScanMs, int Scans, long BinaryBytes);

    /// <summary>Nanoseconds per system call (tests/bench/syscalls.c) without and with the BPF probe attached.</summary>
    internal sealed record SyscallCost(string Call, double WithoutNs, double WithNs)
    {
        public double AddedNs => WithNs - WithoutNs;
    }

    internal sealed class Bench(Settings s)
    {
        private readonly List<(string Label, Pass NfsWatch, Pass Floor)> _synthetic = [];
        private readonly List<Pass> _live = [];
        private readonly List<DaemonRun> _daemons = [];
        private readonly List<SyscallCost> _syscalls = [];
        private string? _bpfProblem;

        public int Run()
        {
            Directory.CreateDirectory(s.Out);
            Directory.CreateDirectory(s.Work);
            try
            {
                foreach (int size in s.Sizes) Synthetic(size);
                if (s.Live > 0) Live();
                if (s.Syscalls is not null) Syscalls();
            }
            finally
            {
                try { Directory.Delete(s.Work, recursive: true); } catch (IOException) { }
            }
            string report = Report.Markdown(s, _synthetic, _live, _daemons, _syscalls, _bpfProblem);
            File.WriteAllText(Path.Combine(s.Out, "results.md"), report);
            Console.Out.Write(report);
            return 0;
        }

        private void Synthetic(int size)
        {
            string root = Path.Combine(s.Work, $"proc-{size}");
            Log($"synthetic proc tree of {size} threads in {root}");
            SyntheticProc.Write(root, size);
            int scans = Math.Clamp(s.Scans * 10_000 / Math.Max(size, 1), 10, 400); // more passes over the small trees
            var (ours, floor) = Rounds(() => NfsWatchCycle(root, scans), () => Floor(root, scans));
            _synthetic.Add(($"{size}", ours, floor));
            Log($"  nfswatch {Ns(ours.CpuPerThreadNs)}/thread, floor {Ns(floor.CpuPerThreadNs)}/thread");
            Directory.Delete(root, recursive: true);
        }

        private void Live()
        {
            Log($"live host: {s.Live} more real threads (tests/bench/threads.c)");
            using var threads = Start(s.Threads, [s.Live.ToString(CultureInfo.InvariantCulture), "100", "900"]);
            try
            {
                var ready = threads.StandardOutput.ReadLineAsync();
                if (!ready.Wait(TimeSpan.FromSeconds(60)) || ready.Result is not { } line || !line.StartsWith("ready", StringComparison.Ordinal))
                    throw new InvalidOperationException($"threads did not start within 60 s: {(threads.HasExited ? threads.StandardError.ReadToEnd() : "(still starting)")}");
                int scans = Math.Max(5, s.Scans / 2);
                var (ours, floor) = Rounds(() => NfsWatchCycle("/proc", scans), () => Floor("/proc", scans));
                _live.Add(ours);
                _live.Add(floor);
                // The BPF probe's round over the same host: it reads the proc files of the threads the kernel names only.
                var bpf = new[] { NfsWatchCycle("/proc", scans, "bpf"), NfsWatchCycle("/proc", scans, "bpf"), NfsWatchCycle("/proc", scans, "bpf") }
                    .OrderBy(p => p.CpuNs).ElementAt(1);
                if (_bpfProblem is null) _live.Add(bpf);
                _live.Add(Ps(scans));
                if (s.Exporter is not null) _live.Add(Exporter(scans));
                foreach (var p in _live) Log($"  {p.Tool}: {p.Threads} threads, {Ns(p.WallNs)} wall, {Ns(p.CpuNs)} CPU per pass");
                if (_bpfProblem is null) _daemons.Add(Daemon("bpf"));
                _daemons.Add(Daemon("procfs"));
            }
            finally
            {
                Native.Kill(threads.Id, Native.SIGTERM);
                threads.WaitForExit(10_000);
            }
        }

        /// <summary>
        /// Three rounds of NfsWatch then the floor, each tool's median round by CPU: on a shared VM the cost of the
        /// same work drifts by 10-20% over a minute, and alternating keeps the two in the same conditions.
        /// </summary>
        private static (Pass Ours, Pass Floor) Rounds(Func<Pass> ours, Func<Pass> floor)
        {
            var a = new List<Pass>();
            var b = new List<Pass>();
            for (int round = 0; round < 3; round++)
            {
                a.Add(ours());
                b.Add(floor());
            }
            return (a.OrderBy(p => p.CpuNs).ElementAt(1), b.OrderBy(p => p.CpuNs).ElementAt(1));
        }

        /// <summary>NfsWatch's whole daemon round, in this process: the scan cycle as `run` builds it, then the metrics update.</summary>
        private Pass NfsWatchCycle(string procfs, int scans, string probe = "procfs")
        {
            string state = Path.Combine(s.Work, "state");
            Directory.CreateDirectory(state);
            var options = new NfsWatchOptions { Procfs = procfs, StateDir = state, Probe = probe };
            ScanCycleWithProbe? built = null;
            try { built = new(Watcher.Build(options, followFromNow: true, out _)); }
            catch (UsageException e)
            {
                _bpfProblem = e.Message;
                Log($"  {e.Message}");
                return new Pass("NfsWatch bpf", 0, 0, 0, Note: e.Message);
            }
            using var owner = built;
            var cycle = built.Cycle;
            using var kernelLog = cycle.KernelLogReader;
            var metrics = new NfsWatchMetrics(Prometheus.Metrics.NewCustomRegistry(), "bench");
            int threads = 0;
            void Once()
            {
                var snapshot = cycle.RunGuarded(new NfsWatch.Core.Report.ReportInputs(), CancellationToken.None, out _) ?? throw new InvalidOperationException("a benchmark scan stalled");
                metrics.Record(snapshot, cycle.Reader);
                threads = snapshot.ScannedThreads;
            }
            for (int i = 0; i < 3; i++) Once();
            var walls = new List<double>();
            var cpus = new List<double>();
            long alloc = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < scans; i++)
            {
                long cpu = Native.ProcessCpuNs();
                long started = Stopwatch.GetTimestamp();
                Once();
                walls.Add(Stopwatch.GetElapsedTime(started).Ticks * 100.0);
                cpus.Add(Native.ProcessCpuNs() - cpu);
            }
            double allocBytes = (GC.GetTotalAllocatedBytes(precise: true) - alloc) / (double)scans;
            double cpuNs = Median(cpus);
            return new Pass(probe == "bpf" ? "NfsWatch bpf (scan cycle + metrics)" : "NfsWatch (scan cycle + metrics)", threads, Median(walls), cpuNs, allocBytes);
        }

        /// <summary>A scan cycle that detaches its BPF probe when done: left attached, it would weigh on everything measured after.</summary>
        private sealed record ScanCycleWithProbe(NfsWatch.Core.Report.ScanCycle Cycle) : IDisposable
        {
            public void Dispose() => (Cycle.Scanner.Candidates as IDisposable)?.Dispose();
        }

        /// <summary>
        /// What the probe adds to system calls: tests/bench/syscalls.c without it, then with it attached (loaded in
        /// this process as the daemon loads it), three times in turn; each side keeps its median.
        /// </summary>
        private void Syscalls()
        {
            if (_bpfProblem is not null) return;
            Log("system calls without and with the BPF probe attached");
            var without = new List<string>();
            var with = new List<string>();
            var proc = new NfsWatch.Core.Procfs.ProcFs("/proc");
            string machine = NfsWatch.Core.Procfs.KernelInfo.Read(proc).Machine;
            for (int round = 0; round < 3; round++)
            {
                without.Add(RunSyscalls());
                using var probe = NfsWatch.Core.Bpf.BpfProbe.TryLoad(proc, machine, out string? problem);
                if (probe is null)
                {
                    _bpfProblem = problem;
                    return;
                }
                with.Add(RunSyscalls());
            }
            foreach (string call in new[] { "getppid", "mount", "umount2" })
            {
                double Median3(List<string> runs) => Median([.. runs.Select(j => Field(j, call + "_ns"))]);
                _syscalls.Add(new SyscallCost(call, Median3(without), Median3(with)));
                Log($"  {call}: {Median3(without):0} ns without, {Median3(with):0} ns with the probe");
            }
        }

        private string RunSyscalls()
        {
            using var p = Start(s.Syscalls!, ["2000000", "5"]);
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"syscalls failed: {p.StandardError.ReadToEnd()}");
            return json;
        }

        private Pass Floor(string procfs, int scans)
        {
            using var p = Start(s.Floor, [procfs, scans.ToString(CultureInfo.InvariantCulture), "3"]);
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"floor failed: {p.StandardError.ReadToEnd()}");
            return new Pass("C floor (tests/bench/floor.c)", (int)Field(json, "threads"), Field(json, "wall_ns"), Field(json, "cpu_ns"));
        }

        /// <summary>`ps -eLo pid,tid,stat,wchan`, whole runs: start-up included, as the person on call pays it.</summary>
        private Pass Ps(int runs)
        {
            var walls = new List<double>();
            int lines = 0;
            for (int i = 0; i < runs + 2; i++)
            {
                var before = Native.ChildrenCpuNs();
                long started = Stopwatch.GetTimestamp();
                using var p = Start("ps", ["-eLo", "pid,tid,stat,wchan"], tied: false);
                string output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                double wall = Stopwatch.GetElapsedTime(started).Ticks * 100.0;
                if (i < 2) continue; // warm-up
                walls.Add(wall);
                _psCpu += Native.ChildrenCpuNs() - before;
                lines = output.Count(c => c == '\n') - 1;
            }
            return new Pass("ps -eLo pid,tid,stat,wchan", lines, Median(walls), _psCpu / (double)runs);
        }

        private long _psCpu;

        /// <summary>prometheus-process-exporter with -threads, one scrape at a time (it reads /proc when scraped).</summary>
        private Pass Exporter(int scrapes)
        {
            string config = Path.Combine(s.Work, "process-exporter.yml");
            File.WriteAllText(config, "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline:\n    - '.*'\n");
            int port = FreePort();
            using var p = Start(s.Exporter!, ["-procfs", "/proc", "-threads=true", "-gather-smaps=false", "-config.path", config,
                "-web.listen-address", $"127.0.0.1:{port}"], discardOutput: true);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
                string url = $"http://127.0.0.1:{port}/metrics";
                string body = WaitFor(http, url);
                body = http.GetStringAsync(url).Result;
                var walls = new List<double>();
                double ticks = Native.ProcessTicks(p.Id);
                for (int i = 0; i < scrapes; i++)
                {
                    long started = Stopwatch.GetTimestamp();
                    body = http.GetStringAsync(url).Result;
                    walls.Add(Stopwatch.GetElapsedTime(started).Ticks * 100.0);
                }
                double cpuNs = (Native.ProcessTicks(p.Id) - ticks) / Native.ClockTicks * 1e9 / scrapes;
                // It counts threads per group: the sum of namedprocess_namegroup_num_threads is every thread it saw.
                int threads = (int)body.Split('\n').Where(l => l.StartsWith("namedprocess_namegroup_num_threads{", StringComparison.Ordinal))
                    .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
                return new Pass("prometheus-process-exporter -threads", threads, Median(walls), cpuNs, Note: "per scrape, -gather-smaps=false");
            }
            finally
            {
                Native.Kill(p.Id, Native.SIGTERM);
                p.WaitForExit(10_000);
            }
        }

        /// <summary>The shipped binary as the service runs it, with a scrape every 15 s: steady RSS and share of a core.</summary>
        private DaemonRun Daemon(string probe)
        {
            const int interval = 5;
            int port = FreePort();
            string state = Path.Combine(s.Work, "daemon-state");
            Directory.CreateDirectory(state);
            Log($"daemon: {s.NfsWatch} run --probe {probe} --interval {interval}s for {s.DaemonSeconds}s after a 15 s warm-up");
            string config = Path.Combine(s.Work, "nfswatch.json");
            File.WriteAllText(config, "{}");
            using var p = Start(s.NfsWatch, ["run", "--probe", probe, "--interval", $"{interval}s", "--listen", $"127.0.0.1:{port}", "--log", "console", "--state-dir", state, "--config", config],
                discardOutput: true);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                string url = $"http://127.0.0.1:{port}/metrics";
                // setpriv execs nfswatch in the same process: its threads, the ones that come and go included, are
                // counted in nanoseconds by a cpuacct group of its own where cgroup v1 has one (ticks are 10 ms).
                using var group = CpuAccount.TryFor(p.Id);
                WaitFor(http, url);
                Thread.Sleep(15_000);
                var (sum0, count0) = ScanDuration(http.GetStringAsync(url).Result);
                var (user0, system0) = Native.ProcessTicksSplit(p.Id);
                var (ns0, sys0) = group?.Read() ?? (0, 0);
                long started = Stopwatch.GetTimestamp();
                double rss = 0, peak = 0;
                for (int second = 1; second <= s.DaemonSeconds; second++)
                {
                    Thread.Sleep(1000);
                    if (second % 15 == 0) http.GetStringAsync(url).Wait();
                    (rss, peak) = Native.Rss(p.Id);
                }
                double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var (user1, system1) = Native.ProcessTicksSplit(p.Id);
                double cpu = (user1 - user0 + system1 - system0) / Native.ClockTicks;
                double kernelShare = (system1 - system0) / Math.Max(1, user1 - user0 + system1 - system0);
                if (group?.Read() is var (ns1, sys1))
                {
                    cpu = (ns1 - ns0) / 1e9;
                    kernelShare = (sys1 - sys0) / Native.ClockTicks / Math.Max(1e-9, cpu);
                }
                string body = http.GetStringAsync(url).Result;
                var (sum1, count1) = ScanDuration(body);
                int threads = (int)Gauge(body, "nfswatch_scanned_threads");
                int scans = (int)(count1 - count0);
                return new DaemonRun(probe, threads, interval, elapsed, cpu / elapsed, kernelShare, rss, peak, scans > 0 ? (sum1 - sum0) / scans * 1000 : double.NaN, scans,
                    new FileInfo(s.NfsWatch).Length);
            }
            finally
            {
                Native.Kill(p.Id, Native.SIGTERM);
                if (!p.WaitForExit(10_000)) p.Kill();
            }
        }

        private static (double Sum, double Count) ScanDuration(string body) =>
            (Gauge(body, "nfswatch_scan_duration_seconds_sum"), Gauge(body, "nfswatch_scan_duration_seconds_count"));

        private static double Gauge(string body, string name)
        {
            foreach (string line in body.Split('\n'))
                if (line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
                    return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            throw new InvalidOperationException($"{name} is not in the metrics");
        }

        private static string WaitFor(HttpClient http, string url)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try { return http.GetStringAsync(url).Result; }
                catch (AggregateException) when (deadline.Elapsed < TimeSpan.FromSeconds(30)) { Thread.Sleep(200); }
            }
        }

        private static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        /// <summary>Starts a child that the kernel kills when this process dies, however it dies (setpriv --pdeathsig;
        /// every child is started from the main thread, whose exit is what the kernel watches).</summary>
        /// <param name="tied">False for a short run that is timed from outside (ps): setpriv would count in its cost.</param>
        private static Process Start(string file, string[] arguments, bool discardOutput = false, bool tied = true)
        {
            var info = new ProcessStartInfo(tied ? "setpriv" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in tied ? new[] { "--pdeathsig", "KILL", "--", file }.Concat(arguments) : arguments) info.ArgumentList.Add(a);
            var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
            if (discardOutput)
            {
                p.OutputDataReceived += (_, _) => { };
                p.ErrorDataReceived += (_, _) => { };
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
            }
            return p;
        }

        private static double Field(string json, string name)
        {
            int at = json.IndexOf($"\"{name}\":", StringComparison.Ordinal);
            if (at < 0) throw new InvalidOperationException($"no {name} in {json}");
            at += name.Length + 3;
            int end = at;
            while (end < json.Length && (char.IsDigit(json[end]) || json[end] == '.')) end++;
            return double.Parse(json[at..end], CultureInfo.InvariantCulture);
        }

        private static double Median(List<double> values)
        {
            values.Sort();
            return values[values.Count / 2];
        }

        private static void Log(string message) => Console.Error.WriteLine($"bench: {message}");

        internal static string Ns(double ns) => ns switch
        {
            >= 1e9 => $"{ns / 1e9:0.00} s",
            >= 1e6 => $"{ns / 1e6:0.0} ms",
            >= 1e3 => $"{ns / 1e3:0.00} µs",
            _ => $"{ns:0} ns",
        };
    }

    /// <summary>A cpuacct cgroup (v1) holding one process: its CPU time in nanoseconds, every thread it ever had included.</summary>
    internal sealed class CpuAccount : IDisposable
    {
        private const string Root = "/sys/fs/cgroup/cpuacct";
        private readonly string _dir;
        private readonly int _pid;

        private CpuAccount(string dir, int pid) => (_dir, _pid) = (dir, pid);

        public static CpuAccount? TryFor(int pid)
        {
            if (!File.Exists(Path.Combine(Root, "cpuacct.usage"))) return null;
            string dir = Path.Combine(Root, $"nfswatch-bench-{Environment.ProcessId}-{pid}");
            try
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
                return new CpuAccount(dir, pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { Directory.Delete(dir); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                return null;
            }
        }

        /// <summary>Nanoseconds of CPU, and the kernel's part in clock ticks (cpuacct.stat's system).</summary>
        public (double Ns, double SystemTicks) Read()
        {
            double ns = double.Parse(File.ReadAllText(Path.Combine(_dir, "cpuacct.usage")).Trim(), CultureInfo.InvariantCulture);
            string? system = File.ReadLines(Path.Combine(_dir, "cpuacct.stat")).FirstOrDefault(l => l.StartsWith("system ", StringComparison.Ordinal));
            return (ns, system is null ? 0 : double.Parse(system[7..], CultureInfo.InvariantCulture));
        }

        /// <summary>The group goes once the process is out of it (it has exited or is moved back to the root).</summary>
        public void Dispose()
        {
            try { File.WriteAllText(Path.Combine(Root, "cgroup.procs"), _pid.ToString(CultureInfo.InvariantCulture)); } catch (IOException) { }
            for (int i = 0; i < 50; i++)
            {
                try { Directory.Delete(_dir); return; }
                catch (IOException) { Thread.Sleep(100); }
            }
        }
    }

    internal static partial class Native
    {
        public const int SIGTERM = 15;
        public static readonly double ClockTicks = 100; // USER_HZ on every Linux architecture NfsWatch ships for

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec { public long Sec; public long Nsec; }

        [StructLayout(LayoutKind.Sequential)]
        private unsafe struct Rusage { public long UserSec, UserUsec, SysSec, SysUsec; public fixed long Rest[14]; }

        [LibraryImport("libc", EntryPoint = "clock_gettime")]
        private static partial int ClockGetTime(int clock, out Timespec t);

        [LibraryImport("libc", EntryPoint = "getrusage")]
        private static partial int GetRusage(int who, out Rusage usage);

        [LibraryImport("libc", EntryPoint = "kill")]
        private static partial int KillNative(int pid, int signal);

        public static void Kill(int pid, int signal) => KillNative(pid, signal);

        /// <summary>CPU time of this whole process (every thread, the garbage collector's included).</summary>
        public static long ProcessCpuNs()
        {
            ClockGetTime(2 /* CLOCK_PROCESS_CPUTIME_ID */, out var t);
            return t.Sec * 1_000_000_000 + t.Nsec;
        }

        /// <summary>CPU time of the children this process has waited for.</summary>
        public static long ChildrenCpuNs()
        {
            GetRusage(-1 /* RUSAGE_CHILDREN */, out var u);
            return (u.UserSec + u.SysSec) * 1_000_000_000 + (u.UserUsec + u.SysUsec) * 1000;
        }

        /// <summary>utime + stime of a process (every thread), in clock ticks, from /proc/PID/stat.</summary>
        public static double ProcessTicks(int pid)
        {
            var (user, system) = ProcessTicksSplit(pid);
            return user + system;
        }

        /// <summary>utime and stime of a process (every thread), in clock ticks.</summary>
        public static (double User, double System) ProcessTicksSplit(int pid)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture), double.Parse(fields[12], CultureInfo.InvariantCulture));
        }

        /// <summary>VmRSS and VmHWM of a process, in MiB.</summary>
        public static (double Rss, double Peak) Rss(int pid)
        {
            double rss = 0, peak = 0;
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kib(line);
            }
            return (rss, peak);
            static double Kib(string line) => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }
}
