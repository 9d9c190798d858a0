using NfsWatch.Tests.Support;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NfsWatch.Tests.Vm;

/// <summary>
/// Runs one scenario of the VM tier (tests/vm/scenarios) through tests/vm/run: a Debian kernel with the NFS client
/// and server under QEMU, with the Native AOT nfswatch inside it (tests/vm/README.md). Each scenario
/// boots once per kernel per test run; every test that asks for it shares the result.
/// </summary>
public static class VmScenario
{
    private static readonly ConcurrentDictionary<(string Kernel, string Scenario), Lazy<VmRun>> Runs = new();

    /// <summary>The checkout: the first directory above the test binaries that holds NfsWatch.sln.</summary>
    public static string RepoRoot => TestHost.RepoRoot;

    /// <summary>The nfswatch that runs in the VM: $NFSWATCH_AOT_BINARY, else artifacts/aot/nfswatch (tests/run-all vm publishes it).</summary>
    public static string NfsWatchBinary =>
        Environment.GetEnvironmentVariable("NFSWATCH_AOT_BINARY") is { Length: > 0 } path ? path : Path.Combine(RepoRoot, "artifacts", "aot", "nfswatch");

    /// <summary>
    /// The run of <paramref name="scenario"/> (a name under tests/vm/scenarios) on <paramref name="kernel"/> (a suite
    /// that tests/vm/prepare prepared: bullseye, bookworm, trixie), booting the VM the first time it is asked for.
    /// </summary>
    public static VmRun Get(VmKernel kernel, string scenario) =>
        Runs.GetOrAdd((kernel.Name, scenario), k => new Lazy<VmRun>(() => Run(kernel.Suite, k.Scenario, kernel.Probe))).Value;

    /// <summary>
    /// Boots the VM for <paramref name="scenario"/> on <paramref name="kernel"/> now; tests/vm/run's own limit is
    /// NFSWATCH_VM_TIMEOUT (300 s). With NFSWATCH_VM_LOG_DIR set, the console is also written to DIR/KERNEL-SCENARIO.log.
    /// </summary>
    /// <param name="probe">nfswatch's --probe in the guest (NFSWATCH_VM_PROBE for tests/vm/run).</param>
    public static VmRun Run(string kernel, string scenario, string probe = "procfs")
    {
        string binary = NfsWatchBinary;
        if (!File.Exists(binary))
            throw new InvalidOperationException($"no nfswatch binary at {binary}: publish it with `dotnet publish src/NfsWatch -c Release -r linux-x64 " +
                "-p:PublishAot=true -o artifacts/aot` (tests/run-all vm does) or set NFSWATCH_AOT_BINARY");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(RepoRoot, "tests", "vm", "run"), "--kernel", kernel, scenario, binary }) info.ArgumentList.Add(a);
        info.Environment["NFSWATCH_VM_PROBE"] = probe;
        var console = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (console) console.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (console) console.Append(e.Data).Append('\n'); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        int limit = int.TryParse(Environment.GetEnvironmentVariable("NFSWATCH_VM_TIMEOUT"), out int s) ? s : 300;
        if (!process.WaitForExit(TimeSpan.FromSeconds(limit + 60)))
        {
            // tests/vm/run stops its qemu on SIGTERM; the whole tree goes in any case.
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"tests/vm/run --kernel {kernel} {scenario} did not finish within {limit + 60} s:\n{console}");
        }
        process.WaitForExit();
        string text;
        lock (console) text = console.ToString();
        // Kept for people and for tests/vm/save-stacks when asked for.
        if (Environment.GetEnvironmentVariable("NFSWATCH_VM_LOG_DIR") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            File.WriteAllText(Path.Combine(logs, $"{kernel}{(probe == "procfs" ? "" : "-" + probe)}-{scenario}.log"), text);
        }
        return new VmRun(kernel, scenario, process.ExitCode, text, stopwatch.Elapsed);
    }

}

/// <summary>
/// What a scenario printed on the VM's console. Lines of the guest (tests/vm/guest-lib.sh):
/// <c>=== BEGIN NAME</c> ... <c>=== END NAME</c> delimit a section (its text verbatim, each line ending in \n);
/// <c>=== FACT KEY=VALUE</c> is a single value; <c>VM-SCENARIO-EXIT=N</c> is the scenario's exit status.
/// </summary>
public sealed partial class VmRun
{
    private readonly Dictionary<string, string> _sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _facts = new(StringComparer.Ordinal);

    /// <summary>The kernel tests/vm/run was asked to boot (a suite); the release it booted is fact kernel.release.</summary>
    public string Kernel { get; }
    public string Scenario { get; }
    public int ExitCode { get; }
    public string Console { get; }
    public TimeSpan Elapsed { get; }
    public IReadOnlyDictionary<string, string> Sections => _sections;
    public IReadOnlyDictionary<string, string> Facts => _facts;

    public VmRun(string kernel, string scenario, int exitCode, string console, TimeSpan elapsed)
    {
        Kernel = kernel;
        Scenario = scenario;
        ExitCode = exitCode;
        Console = console;
        Elapsed = elapsed;
        string? open = null;
        var text = new StringBuilder();
        foreach (string line in console.Split('\n'))
        {
            if (open is not null)
            {
                if (line == $"=== END {open}") { _sections[open] = text.ToString(); open = null; }
                else text.Append(line).Append('\n');
                continue;
            }
            if (line.StartsWith("=== BEGIN ", StringComparison.Ordinal)) { open = line["=== BEGIN ".Length..]; text.Clear(); }
            else if (line.StartsWith("=== FACT ", StringComparison.Ordinal) && line.IndexOf('=', "=== FACT ".Length) is int eq and > 0)
                _facts[line["=== FACT ".Length..eq]] = line[(eq + 1)..];
        }
    }

    /// <summary>The text of a section; fails with the console when the scenario did not print it.</summary>
    public string Section(string name) =>
        _sections.TryGetValue(name, out string? text) ? text : throw Missing($"section '{name}'");

    public string Fact(string key) => _facts.TryGetValue(key, out string? value) ? value : throw Missing($"fact '{key}'");

    public int IntFact(string key) => int.Parse(Fact(key));

    /// <summary>A section holding a JSON document (`nfswatch scan --json`), parsed.</summary>
    public JsonElement Json(string section)
    {
        string text = Section(section);
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException e) { throw new InvalidOperationException($"section '{section}' of {Scenario} on {Kernel} is not JSON ({e.Message}):\n{text}"); }
    }

    /// <summary>The entry of <c>mount_syscalls</c> in the scan of <paramref name="section"/> for thread <paramref name="tid"/>.</summary>
    public JsonElement MountCall(string section, int tid)
    {
        var calls = Json(section).GetProperty("mount_syscalls").EnumerateArray().Where(c => c.GetProperty("tid").GetInt32() == tid).ToList();
        return calls.Count == 1 ? calls[0] : throw new InvalidOperationException($"{calls.Count} entries for tid {tid} in '{section}':\n{Section(section)}");
    }

    /// <summary>The function names of a raw <c>/proc/PID/task/TID/stack</c> section ("ROLE stack"), innermost first.</summary>
    public IReadOnlyList<string> StackFrames(string role) =>
        [.. StackFrame().Matches(Section($"{role} stack")).Select(m => m.Groups[1].Value)];

    /// <summary>The last lines of the console, for a failure message.</summary>
    public string Tail(int lines = 60) => string.Join('\n', Console.Split('\n').TakeLast(lines));

    public override string ToString() => $"{Scenario} on {Kernel}: exit {ExitCode} after {Elapsed.TotalSeconds:F0} s";

    private InvalidOperationException Missing(string what) =>
        new($"{Scenario} on {Kernel} printed no {what} (tests/vm/run exited {ExitCode}); console:\n{Console}");

    // "[<0>] rpc_wait_bit_killable+0xd/0x70 [sunrpc]"
    [GeneratedRegex(@"^\[<[0-9a-f]+>\] ([^+\s]+)\+0x[0-9a-f]+/0x[0-9a-f]+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
