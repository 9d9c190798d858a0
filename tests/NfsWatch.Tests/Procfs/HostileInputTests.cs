using System.Diagnostics;
using System.Numerics;
using System.Text;
using NfsWatch.Configuration;
using NfsWatch.Core.Explanation;
using NfsWatch.Core.KernelLog;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Explanation;
using NfsWatch.Tests.Support;
using Xunit.Abstractions;

namespace NfsWatch.Tests.Procfs;

/// <summary>
/// Hostile input: every parser of what NfsWatch reads (proc files, /dev/kmsg records, mount options,
/// a helper's command line, the strings of a mount(2) or fsconfig(2) call, the signature and config files) against
/// thousands of generated inputs each: random bytes of 0..64 KiB, every truncation of each real sample, single-byte
/// edits of it (a flipped bit; an inserted NUL, newline or invalid UTF-8), 1 MiB lines and 100k fields, and numbers
/// that do not fit their field. What must hold is what a user relies on: only the documented failure (a false
/// TryParse with a "FILE: ..." error, null, or the loader's own exception), nothing larger than the input justifies,
/// allocation linear in the input, a bounded time per input, and the records an edit did not touch read as before.
/// A failure prints the seed, the case and its input in hex; NFSWATCH_FUZZ_SEED=N runs other cases.
/// </summary>
public class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>Allocation allowed per input: a multiple of its length plus a constant.</summary>
    private static readonly (int PerByte, int Fixed) Constant = (0, 16 << 10), Linear = (64, 64 << 10);

    private void Report(string summary) => output.WriteLine(summary);

    // ---- /proc/PID/task/TID/stat

    [Fact]
    public void StatLines()
    {
        var cases = new HostileCases("stat",
        [
            .. HostileSamples.Fixture("stat"), .. HostileSamples.Column(ThreadStatTests.RealLines),
            ProcText.StatLine("dotnet (with (parens)) sp(a)ce"), ProcText.StatLine("JetPool (S) Reg"),
            ProcText.StatLine([0xff, (byte)')', 0x00, (byte)'(', (byte)'\n'], flags: "2097152"),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines().NumericOverflow();
        var was = cases.Samples.Select(s => (Ok: ThreadStat.TryParse(s, out var stat, out _), Stat: stat, Field22End: StatField22End(s))).ToArray();

        Report(HostileProperty.Check(cases, Constant,
            input => (Ok: ThreadStat.TryParse(input, out var stat, out string? error), Stat: stat, Error: error),
            (c, have) =>
            {
                HostileInputs.AssertContract(have.Ok, have.Error, "stat");
                if (!have.Ok) return;
                var (offset, length) = have.Stat.CommRange.GetOffsetAndLength(c.Input.Length);
                Assert.True(offset >= 1 && c.Input[offset - 1] == '(' && offset + length < c.Input.Length && c.Input[offset + length] == ')',
                    "the command name is not between parentheses");
                if (!c.IsEdit || !was[c.Sample].Ok) return;
                var before = was[c.Sample].Stat;
                var (commStart, commLength) = before.CommRange.GetOffsetAndLength(cases.Samples[c.Sample].Length);
                // An edit inside the command name, whatever it holds (')' included), leaves the fields after it alone:
                // the mistake that once broke .NET on a thread named "JetPool (S) Reg".
                if (c.EditStart >= commStart && c.EditEnd <= commStart + commLength)
                    HostileProperty.Kept((before.State, before.ParentPid, before.Flags, before.StartTimeTicks), (have.Stat.State, have.Stat.ParentPid, have.Stat.Flags, have.Stat.StartTimeTicks), "fields after the name");
                // Fields after 22 (starttime) are never read, unless the edit adds a ')' that moves the end of the name.
                if (c.EditStart > was[c.Sample].Field22End && !c.NewBytes().Contains((byte)')'))
                    HostileProperty.Kept(before, have.Stat, "the record");
                if (c.Replacement is not null)
                    AssertNoWrap(c, [before.ParentPid, before.Flags, before.StartTimeTicks], [have.Stat.ParentPid, have.Stat.Flags, have.Stat.StartTimeTicks]);
            }));
    }

    /// <summary>Where field 22 (starttime) of a stat line ends, or -1.</summary>
    private static int StatField22End(byte[] line)
    {
        int close = line.AsSpan().LastIndexOf((byte)')');
        if (close < 0) return -1;
        var tokens = HostileSamples.Tokens(line, close + 1, SpaceTokens.IsBlank);
        return tokens.Count >= 20 ? tokens[19].End : -1;
    }

    // ---- /proc/PID/task/TID/syscall

    [Fact]
    public void SyscallLines()
    {
        var cases = new HostileCases("syscall",
        [
            .. HostileSamples.Fixture("syscall"), .. HostileSamples.Column(ThreadSyscallTests.InSyscallLines),
            ProcText.Latin1("-1 0x7ffc1a2b3c40 0x7f60c2547e5a\n"), ProcText.Latin1("running\n"),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines().NumericOverflow();
        var was = cases.Samples.Select(s =>
        {
            bool ok = ThreadSyscall.TryParse(s, out var syscall, out _);
            var tokens = HostileSamples.Tokens(s, 0, SpaceTokens.IsBlank);
            int read = !ok ? 0 : syscall.State switch { SyscallState.Running => 1, SyscallState.NotInSyscall => 3, _ => 9 };
            return (Ok: ok, Syscall: syscall, LastReadEnd: ok ? tokens[read - 1].End : -1);
        }).ToArray();

        Report(HostileProperty.Check(cases, Constant,
            input => (Ok: ThreadSyscall.TryParse(input, out var syscall, out string? error), Syscall: syscall, Error: error),
            (c, have) =>
            {
                HostileInputs.AssertContract(have.Ok, have.Error, "syscall");
                if (!have.Ok) return;
                Assert.True(have.Syscall.Number >= -1, $"system call number {have.Syscall.Number}");
                Assert.Equal(have.Syscall.State == SyscallState.InSyscall, have.Syscall.Number >= 0);
                if (!c.IsEdit || !was[c.Sample].Ok) return;
                var before = was[c.Sample].Syscall;
                // Nothing after the instruction pointer is read.
                if (c.EditStart > was[c.Sample].LastReadEnd) HostileProperty.Kept(before, have.Syscall, "the record");
                if (c.Replacement is not null)
                {
                    if (have.Syscall.Number != before.Number) AssertNoWrap(c, [before.Number], [have.Syscall.Number]);
                    else AssertNoWrap(c, Numbers(before), Numbers(have.Syscall));
                }
            }));

        static BigInteger[] Numbers(ThreadSyscall s)
        {
            var args = s.Args;
            return [.. ((ReadOnlySpan<ulong>)args).ToArray().Select(a => (BigInteger)a), s.StackPointer, s.ProgramCounter];
        }
    }

    // ---- /proc/PID/task/TID/stack

    [Fact]
    public void StackFiles()
    {
        string stacks = Path.Combine(AppContext.BaseDirectory, "testdata", "stacks");
        var cases = new HostileCases("stack",
        [
            .. HostileSamples.Fixture("stack"), .. HostileSamples.Column(KernelStackTests.Stacks),
            .. Directory.GetFiles(stacks, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes),
        ]).RandomBytes(2000).Truncations().Mutations(maxPositions: 128).HugeLines(separator: (byte)'\n', field: "[<0>] f+0x1/0x2").NumericOverflow();
        var units = cases.Samples.Select(HostileSamples.Lines).ToArray();
        var lines = cases.Samples.Select((s, i) => units[i].Select(l => Frames(s[l.Start..l.End])).ToList()).ToArray();

        Report(HostileProperty.Check(cases, (32, 16 << 10), input => KernelStack.Parse(input), (c, frames) =>
        {
            int lineCount = c.Input.AsSpan().Count((byte)'\n') + 1;
            Assert.True(frames.Count <= lineCount, $"{frames.Count} frames from {lineCount} lines");
            foreach (string frame in frames.Take(64))
            {
                if (frame.Length == 0 || frame.AsSpan().ContainsAnyExcept(FrameCharacters)) Assert.Fail($"frame \"{frame}\"");
                if (c.Input.AsSpan().IndexOf(Encoding.ASCII.GetBytes(frame)) < 0) Assert.Fail($"frame \"{frame}\" is not in the input");
            }
            if (c.IsEdit) HostileProperty.AssertUntouchedRecordsKept(c, units[c.Sample], lines[c.Sample], frames, f => f);
        }));

        static List<string> Frames(byte[] line) => [.. KernelStack.Parse(line)];
    }

    private static readonly System.Buffers.SearchValues<char> FrameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$");

    // ---- /proc/PID/task/TID/sched

    [Fact]
    public void SchedFiles()
    {
        var cases = new HostileCases("sched", [.. HostileSamples.Fixture("sched"), .. HostileSamples.Column(ThreadSchedTests.Files)])
            .RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)'\n', field: "se.exec_start : 1.0").NumericOverflow();
        var was = cases.Samples.Select(s => (Ok: ThreadSched.TryParseExecStartMs(s, out double ms, out _), Ms: ms,
            KeyLines: HostileSamples.Lines(s).Where(l => s.AsSpan(l.Start, l.End - l.Start).IndexOf("exec_start"u8) >= 0).ToList())).ToArray();

        Report(HostileProperty.Check(cases, Constant,
            input => (Ok: ThreadSched.TryParseExecStartMs(input, out double ms, out string? error), Ms: ms, Error: error),
            (c, have) =>
            {
                HostileInputs.AssertContract(have.Ok, have.Error, "sched");
                if (have.Ok) Assert.True(have.Ms >= 0 && double.IsFinite(have.Ms), $"se.exec_start {have.Ms}");
                // An edit of any line but those naming exec_start changes nothing.
                if (c.IsEdit && was[c.Sample].Ok && !was[c.Sample].KeyLines.Any(l => c.Touches(l.Start, l.End)))
                    HostileProperty.Kept((true, was[c.Sample].Ms), (have.Ok, have.Ms), "se.exec_start");
            }));
    }

    // ---- /proc/uptime

    [Fact]
    public void UptimeFiles()
    {
        var cases = new HostileCases("uptime", [.. HostileSamples.Fixture("uptime"), ProcText.Latin1("94.65 165.85\n"), ProcText.Latin1("521360.86 1042190.12\n")])
            .RandomBytes(2000).Truncations().Mutations().HugeLines().NumericOverflow();
        var was = cases.Samples.Select(s => (Ok: Uptime.TryParse(s, out double seconds, out _), Seconds: seconds,
            FirstEnd: HostileSamples.Tokens(s, 0, SpaceTokens.IsBlank).FirstOrDefault().End)).ToArray();

        Report(HostileProperty.Check(cases, Constant,
            input => (Ok: Uptime.TryParse(input, out double seconds, out string? error), Seconds: seconds, Error: error),
            (c, have) =>
            {
                HostileInputs.AssertContract(have.Ok, have.Error, "uptime");
                if (have.Ok) Assert.True(have.Seconds >= 0 && double.IsFinite(have.Seconds), $"uptime {have.Seconds}");
                // The idle time is never read.
                if (c.IsEdit && was[c.Sample].Ok && c.EditStart > was[c.Sample].FirstEnd)
                    HostileProperty.Kept((true, was[c.Sample].Seconds), (have.Ok, have.Seconds), "the uptime");
            }));
    }

    // ---- /proc/PID/mountinfo

    private static readonly byte[][] MountInfoLines =
    [
        .. HostileSamples.Fixture("mountinfo").SelectMany(f => HostileSamples.Lines(f).Where(l => l.End > l.Start).Select(l => f[l.Start..Math.Min(l.End + 1, f.Length)])),
        .. HostileSamples.Column(MountInfoTests.OptionalFieldLines), .. HostileSamples.Column(MountInfoTests.ShortLines),
        ProcText.Latin1("64 43 0:39 / /tmp/mi-test/b\\040x\\134 rw,relatime shared:2 master:1 - tmpfs my\\040src rw\n"),
        ProcText.Latin1("700 29 0:52 / /mnt/efs rw,relatime shared:400 - nfs4 fs-1234.efs.eu-west-1.amazonaws.com:/ " +
            "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys," +
            "clientaddr=10.0.1.5,local_lock=none,addr=10.0.1.9\n"),
    ];

    [Fact]
    public void MountInfoLine()
    {
        var cases = new HostileCases("mountinfo line", MountInfoLines).RandomBytes(2000).Truncations().Mutations().HugeLines().NumericOverflow();
        var was = cases.Samples.Select(s => MountInfo.TryParse(s, out var mount, out _) ? mount : null).ToArray();

        Report(HostileProperty.Check(cases, Linear,
            input => (Ok: MountInfo.TryParse(input, out var mount, out string? error), Mount: mount, Error: error),
            (c, have) =>
            {
                HostileInputs.AssertContract(have.Ok, have.Error, "mountinfo");
                if (!have.Ok) return;
                var fields = Fields(have.Mount);
                Assert.True(fields.Count <= c.Input.AsSpan().Count((byte)' ') + 2, $"{fields.Count} fields");
                Assert.All(fields, f => Assert.True(f.Length <= c.Input.Length, "a field longer than the line"));
                Assert.DoesNotContain("-", have.Mount.OptionalFields);
                if (!c.IsEdit || was[c.Sample] is not { } before) return;
                // An edit inside one field that adds no space changes that field only.
                var sample = cases.Samples[c.Sample];
                var ranges = HostileSamples.Tokens(sample, 0, b => b == ' ');
                int field = ranges.FindIndex(r => c.EditStart >= r.Start && c.EditEnd <= r.End);
                if (field < 0 || c.NewBytes().Contains((byte)' ') || ranges.Count != Fields(before).Count) return;
                var old = Fields(before);
                var now = Fields(have.Mount);
                HostileProperty.Kept(string.Join(" ", old.Where((_, i) => i != field)), string.Join(" ", now.Where((_, i) => i != field)), $"the fields but #{field + 1}");
                if (c.Replacement is not null)
                    AssertNoWrap(c, [before.MountId, before.ParentId, before.Major, before.Minor], [have.Mount.MountId, have.Mount.ParentId, have.Mount.Major, have.Mount.Minor]);
            }));
    }

    [Fact]
    public void MountInfoFiles()
    {
        var cases = new HostileCases("mountinfo file",
        [
            .. HostileSamples.Fixture("mountinfo"), MountInfoLines.SelectMany(l => l.Append((byte)'\n')).ToArray(),
        ]).RandomBytes(2000).Truncations().Mutations(maxPositions: 1024).HugeLines().NumericOverflow();
        var units = cases.Samples.Select(HostileSamples.Lines).ToArray();
        var lines = cases.Samples.Select((s, i) => units[i].Select(l => MountInfo.ParseAll(s.AsSpan(l.Start, l.End - l.Start)).Select(Key).ToList()).ToList()).ToArray();

        Report(HostileProperty.Check(cases, Linear, input =>
        {
            var errors = new List<string>();
            return (Mounts: MountInfo.ParseAll(input, errors), Errors: errors);
        }, (c, have) =>
        {
            int lineCount = c.Input.AsSpan().Count((byte)'\n') + 1;
            Assert.True(have.Mounts.Count + have.Errors.Count <= lineCount, $"{have.Mounts.Count} mounts and {have.Errors.Count} errors from {lineCount} lines");
            Assert.All(have.Errors.Take(64), e => Assert.True(e.StartsWith("mountinfo: ", StringComparison.Ordinal) && e.Length < 1000, e));
            if (c.IsEdit) HostileProperty.AssertUntouchedRecordsKept(c, units[c.Sample], lines[c.Sample], have.Mounts, Key);
        }));

        static string Key(MountInfo m) => string.Join(" ", Fields(m));
    }

    /// <summary>A mountinfo record as its fields, in the order of the line.</summary>
    private static List<string> Fields(MountInfo m) =>
        [$"{m.MountId}", $"{m.ParentId}", $"{m.Major}:{m.Minor}", m.Root, m.MountPoint, m.MountOptions, .. m.OptionalFields, "-", m.FsType, m.Source, m.SuperOptions];

    // ---- /proc/self/mountstats

    [Fact]
    public void MountStatsFiles()
    {
        var cases = new HostileCases("mountstats", [.. HostileSamples.Fixture("mountstats"), ProcText.Utf8(NfsMountStatsTests.Sample)])
            .RandomBytes(2000).Truncations().Mutations(maxPositions: 1024).HugeLines(separator: (byte)'\n', field: "\t     GETATTR: 1 1 0 1 1 0 0 0 0").NumericOverflow(maxTokens: 96);
        var blocks = cases.Samples.Select(Blocks).ToArray();
        var was = cases.Samples.Select((s, i) => blocks[i].Select(b => NfsMountStats.ParseAll(s.AsSpan(b.Start, b.End - b.Start))).ToList()).ToArray();

        Report(HostileProperty.Check(cases, Linear, input => NfsMountStats.ParseAll(input), (c, have) =>
        {
            int devices = CountOf(c.Input, "device "u8);
            Assert.True(have.Count <= devices, $"{have.Count} mounts from {devices} device lines");
            foreach (var m in have.Take(64))
            {
                Assert.True(m.FsType is "nfs" or "nfs4", m.FsType);
                Assert.True(m.Source.Length + m.MountPoint.Length + m.Options.Length <= c.Input.Length, "strings longer than the file");
                Assert.True(m.Retransmissions <= m.Transmissions);
            }
            if (!c.IsEdit) return;
            // A broken "device" line hands its block's lines to the block before it, so that one may change too.
            HostileProperty.AssertUntouchedRecordsKept(c, blocks[c.Sample], was[c.Sample].Select(l => l.Select(m => m.ToString()).ToList()).ToList(),
                have, m => m.ToString(), spreadsBack: 1);
            if (c.Replacement is not null)
            {
                // A number that does not fit is not counted as some other number: nothing grows by more than the
                // replacement itself, when it fits.
                BigInteger allowed = c.ReplacementValue is { } v && v >= 0 && v <= ulong.MaxValue ? v : 0;
                var before = was[c.Sample].SelectMany(l => l).ToList();
                foreach (var counter in new Func<NfsMountStats, ulong>[] { m => m.Operations, m => m.Transmissions, m => m.Timeouts, m => m.Sends, m => m.BacklogSum })
                {
                    BigInteger sumBefore = before.Aggregate(BigInteger.Zero, (sum, m) => sum + counter(m));
                    BigInteger sumNow = have.Aggregate(BigInteger.Zero, (sum, m) => sum + counter(m));
                    Assert.True(sumNow <= sumBefore + allowed, $"a counter went from {sumBefore} to {sumNow} after writing {c.Replacement}");
                }
            }
        }));

        static int CountOf(byte[] text, ReadOnlySpan<byte> what)
        {
            int n = 0;
            for (var rest = text.AsSpan(); rest.IndexOf(what) is >= 0 and var at; rest = rest[(at + 1)..]) n++;
            return n;
        }

        static List<(int Start, int End)> Blocks(byte[] text)
        {
            var starts = HostileSamples.Lines(text).Where(l => text.AsSpan(l.Start).StartsWith("device "u8)).Select(l => l.Start).Prepend(0).Distinct().ToList();
            return [.. starts.Select((s, i) => (s, i + 1 < starts.Count ? starts[i + 1] - 1 : text.Length))];
        }
    }

    // ---- /proc/PID/cgroup

    [Fact]
    public void CgroupFiles()
    {
        const string id = "7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100";
        var cases = new HostileCases("cgroup",
        [
            .. HostileSamples.Fixture("cgroup"),
            ProcText.Latin1("0::/system.slice/docker-" + id + ".scope\n"),
            ProcText.Latin1("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" + id + ".scope\n"),
            ProcText.Latin1("12:pids:/docker/" + id + "\n11:memory:/docker/" + id + "\n1:name=systemd:/docker/" + id + "\n"),
            ProcText.Latin1("12:pids:/user.slice\n1:name=systemd:/user.slice/user-0.slice/session-3.scope\n0::/user.slice/user-0.slice/session-3.scope\n"),
            ProcText.Latin1("0::/\n"),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)'\n', field: "0::/system.slice/a.service").NumericOverflow();
        var was = cases.Samples.Select(s => ProcessCgroup.Parse(Encoding.UTF8.GetString(s))).ToArray();

        Report(HostileProperty.Check(cases, (128, 64 << 10), input => ProcessCgroup.Parse(Encoding.UTF8.GetString(input)), (c, have) =>
        {
            if (have is null) return;
            string text = Encoding.UTF8.GetString(c.Input);
            Assert.True(have.Path.StartsWith('/') && text.Contains(have.Path, StringComparison.Ordinal), $"path \"{have.Path}\"");
            if (have.Unit is not null) Assert.Contains("/" + have.Unit, have.Path);
            if (have.ContainerId is not null)
                Assert.True(have.ContainerId.Length == 64 && have.ContainerId.All(char.IsAsciiHexDigitLower) && text.Contains(have.ContainerId, StringComparison.Ordinal), have.ContainerId);
            // An edit of a line other than the one that names the cgroup leaves the answer alone.
            if (!c.IsEdit || was[c.Sample] is not { } before || (before.ContainerId is not null && !before.Path.Contains(before.ContainerId, StringComparison.Ordinal))) return;
            var sample = cases.Samples[c.Sample];
            bool touchesPath = HostileSamples.Lines(sample).Any(l => c.Touches(l.Start, l.End) && Encoding.UTF8.GetString(sample, l.Start, l.End - l.Start).EndsWith(":" + before.Path, StringComparison.Ordinal));
            if (!touchesPath) HostileProperty.Kept(before, have, "the cgroup");
        }));
    }

    // ---- /dev/kmsg records

    [Fact]
    public void KernelLogRecords()
    {
        // Records as /dev/kmsg returns them (Documentation/ABI/testing/dev-kmsg): "PRI,SEQ,TIMESTAMP_US,FLAGS[,...];MESSAGE",
        // then " KEY=VALUE" dictionary lines.
        var cases = new HostileCases("kmsg",
        [
            .. new[]
            {
                "6,1,0,-;Linux version 6.1.0-56-amd64\n",
                "4,1234,5678901,-;nfs: server 127.0.0.1 not responding, still trying\n SUBSYSTEM=nfs\n",
                "4,1235,5678902,-;nfs: server 127.0.0.1 not responding, timed out\n",
                "6,1236,5679000,-;nfs: server 127.0.0.1 OK\n",
                "4,7,8123456789,-;nfs: server fs-0123abcd.efs.eu-west-1.amazonaws.com not responding, still trying\n",
                "3,99,130000000,-;INFO: task mount.nfs4:4711 blocked for more than 120 seconds.\n",
                "3,100,131000000,-;INFO: task kworker/u4:1:123 blocked for more than 122 seconds.\n",
                "4,1238,5680001,c,caller=T123;nfs: server 10.0.1.9 OK\n",
                "3,1237,130000001,-;      Not tainted 6.1.0-56-amd64 #1 Debian 6.1.140-1\n",
            }.Select(ProcText.Latin1),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)',').NumericOverflow();
        var was = cases.Samples.Select(s => (Event: KernelLogEvent.TryParse(s), Commas: Commas(s), Semi: s.AsSpan().IndexOf((byte)';'),
            Newline: s.AsSpan().IndexOf((byte)';') is >= 0 and var semi && s.AsSpan(semi).IndexOf((byte)'\n') is >= 0 and var nl ? semi + nl : int.MaxValue)).ToArray();

        Report(HostileProperty.Check(cases, (16, 16 << 10), input => KernelLogEvent.TryParse(input), (c, have) =>
        {
            if (have is null) return;
            Assert.Contains(have.Event, new[] { KernelLogEvent.ServerNotResponding, KernelLogEvent.ServerOk, KernelLogEvent.HungTask });
            Assert.True(have.Seconds >= 0 && double.IsFinite(have.Seconds), $"{have.Seconds} s");
            Assert.True(have.Message.Length <= c.Input.Length && !have.Message.Contains('\n'), "the message is longer than the record or spans lines");
            if (have.Server is not null) Assert.True(have.Server.Length > 0 && !have.Server.Contains(' ') && have.Message.Contains(have.Server, StringComparison.Ordinal), have.Server);
            if (!c.IsEdit || was[c.Sample].Event is not { } before) return;
            // PRI, SEQ and FLAGS, and the dictionary lines, do not change the event, unless the edit adds or removes a separator.
            var (_, commas, semi, newline) = was[c.Sample];
            bool separator = c.NewBytes().IndexOfAny((byte)',', (byte)';') >= 0 || c.OldBytes(cases.Samples[c.Sample]).AsSpan().IndexOfAny((byte)',', (byte)';') >= 0;
            bool header = commas.Count >= 3 && (c.EditEnd <= commas[1] || (c.EditStart > commas[2] && c.EditEnd <= semi));
            if (!separator && (header || c.EditStart > newline)) HostileProperty.Kept(before, have, "the event");
            if (c.Replacement is not null && have.Event == before.Event)
            {
                AssertNoWrap(c, [before.Pid], [have.Pid]);
                Assert.True(have.Seconds == before.Seconds || have.Seconds == 0 || (double)c.ReplacementValue!.Value / 1e6 == have.Seconds, $"{have.Seconds} s");
            }
        }));

        static List<int> Commas(byte[] record)
        {
            int semi = record.AsSpan().IndexOf((byte)';');
            return [.. Enumerable.Range(0, semi < 0 ? 0 : semi).Where(i => record[i] == ',')];
        }
    }

    // ---- mount options (mount(2) data, mountinfo, a helper's -o)

    private static readonly string[] OptionSamples =
    [
        "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=10,retrans=1,sec=sys,clientaddr=127.0.0.1,local_lock=none,addr=127.0.0.1",
        "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.1.5,local_lock=none,addr=10.0.1.9",
        "nfsvers=4.1,rsize=1048576,hard,timeo=600,retrans=2,noresvport",
        "vers=4.1,addr=10.0.1.5,password=hunter2",
        "soft,timeo=50,secret=s3cr3t,nfsvers=3",
        "username=u,password=hunter2,password2=hunt3r2,domain=d,vers=3.0",
        "hard,proto=tcp,token=t0k3n,vers=4,minorversion=2,cred=cr3d",
        "v4.2,hard,addr=fd00::1",
    ];

    /// <summary>The values of secret keys in a sample, and the bytes that decide whether they are secret (the key and the comma before it).</summary>
    private static List<(string Value, int Start, int End)> Secrets(byte[] sample)
    {
        var secrets = new List<(string, int, int)>();
        foreach (string value in new[] { "hunter2", "hunt3r2", "s3cr3t", "t0k3n", "cr3d" })
        {
            int at = sample.AsSpan().IndexOf(Encoding.ASCII.GetBytes("=" + value));
            if (at < 0) continue;
            int comma = sample.AsSpan(0, at).LastIndexOf((byte)',');
            secrets.Add((value, Math.Max(comma, 0), at));
        }
        return secrets;
    }

    private static void AssertSecretsHidden(HostileCase c, byte[] sample, string? shown)
    {
        foreach (var (value, start, end) in Secrets(sample))
            if (!c.Touches(start, end) && shown is not null)
                HostileProperty.Kept(false, shown.Contains(value, StringComparison.Ordinal), $"whether the secret \"{value}\" is shown in \"{shown}\"");
    }

    [Fact]
    public void MountOptions()
    {
        string[] versions = ["3", "4.0", "4.1", "4.2"];
        string[] deciding = ["vers", "nfsvers", "minorversion", "addr", "v2", "v3", "v4", "v4.0", "v4.1", "v4.2"];
        var cases = new HostileCases("mount options", OptionSamples.Select(ProcText.Latin1))
            .RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)',', field: "a=1").NumericOverflow();
        var was = cases.Samples.Select(s => Parse(s)).ToArray();

        // Five passes over the options (two versions, two servers, the redaction), 100k options of 4 bytes among the cases.
        Report(HostileProperty.Check(cases, (256, 64 << 10), input => Parse(input), (c, have) =>
        {
            Assert.True(have.Kernel is null || versions.Contains(have.Kernel), have.Kernel);
            Assert.True(have.Helper is null || versions.Contains(have.Helper), have.Helper);
            string text = Encoding.UTF8.GetString(c.Input);
            Assert.True(have.Server is null || text.Contains(have.Server, StringComparison.Ordinal), have.Server);
            Assert.Equal("srv", have.SourceServer);
            Assert.True(have.Redacted.Length <= text.Length + 3 * (text.AsSpan().Count(',') + 1), "redaction grew the options");
            if (!c.IsEdit) return;
            var sample = cases.Samples[c.Sample];
            AssertSecretsHidden(c, sample, have.Redacted);
            // Options two or more places away from those that decide the version and the server do not change them
            // (a neighbour may: ",," keeps a comma inside a value).
            var options = HostileSamples.Tokens(sample, 0, b => b == ',');
            var decidingAt = options.Select((o, i) => (o, i)).Where(x => deciding.Contains(Encoding.Latin1.GetString(sample, x.o.Start, x.o.End - x.o.Start).Split('=')[0])).Select(x => x.i).ToList();
            var touched = options.Select((o, i) => (o, i)).Where(x => c.Touches(x.o.Start, x.o.End)).Select(x => x.i).ToList();
            if (touched.Count > 0 && touched.All(t => decidingAt.All(d => Math.Abs(t - d) >= 2)))
                HostileProperty.Kept((was[c.Sample].Kernel, was[c.Sample].Helper, was[c.Sample].Server), (have.Kernel, have.Helper, have.Server), "version and server");
        }));

        static (string? Kernel, string? Helper, string? Server, string? SourceServer, string Redacted) Parse(byte[] input)
        {
            string options = Encoding.UTF8.GetString(input);
            return (NfsOptions.Version("nfs4", options, fromKernel: true), NfsOptions.Version("nfs", options, fromKernel: false, "mount.efs"),
                NfsOptions.Server(null, options), NfsOptions.Server("srv:/x", options), NfsOptions.Redact(options)!);
        }
    }

    // ---- the strings of a mount(2) or fsconfig(2) call, read from the caller's memory

    [Fact]
    public void MountCallStrings()
    {
        var cases = new HostileCases("mount call strings",
        [
            .. OptionSamples.Select(ProcText.Latin1),
            ProcText.Latin1("10.0.1.5:/export"), ProcText.Latin1("/mnt/my share"), ProcText.Latin1("nfs4"), ProcText.Latin1("source"),
            ProcText.Utf8("/mnt/caf\u00e9/\u65e5\u672c"),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)',', field: "password=a").NumericOverflow();
        var mount = new SyscallArgs();
        var setString = new SyscallArgs();
        setString[1] = 1; // FSCONFIG_SET_STRING (include/uapi/linux/mount.h)

        Report(HostileProperty.Check(cases, Linear, input =>
        {
            string? text = MountRequest.Text(input);
            var data = MountRequest.From("mount", mount, new Dictionary<string, string?> { ["source"] = "10.0.1.5:/export", ["target"] = "/mnt/x", ["fstype"] = "nfs4", ["data"] = text });
            var password = MountRequest.From("fsconfig", setString, new Dictionary<string, string?> { ["key"] = "password", ["value"] = text });
            var key = MountRequest.From("fsconfig", setString, new Dictionary<string, string?> { ["key"] = text, ["value"] = "v" });
            return (Text: text, Data: data, Password: password, Key: key);
        }, (c, have) =>
        {
            Assert.Equal(PrintableUtf8(c.Input), have.Text);
            Assert.Equal(new MountRequest("nfs4", "10.0.1.5:/export", "/mnt/x", NfsOptions.Redact(have.Text), null), have.Data);
            // fsconfig(2) passes one value: all of it is the secret, commas included.
            Assert.Equal("password=***", have.Password.Options);
            // Any key: "source" is the source, others an option no longer than key=value with values hidden.
            if (have.Text == "source") Assert.Equal(new MountRequest(null, "v", null, null, null), have.Key);
            else Assert.True((have.Key.Options is null) == (have.Text is null) && (have.Key.Options?.Length ?? 0) <= 2 * ((have.Text?.Length ?? 0) + 2) + 6, $"key \"{have.Text}\": {have.Key}");
            if (c.IsEdit) AssertSecretsHidden(c, cases.Samples[c.Sample], have.Data.Options);
        }));

        // What MountRequest.Text promises: the string when it is valid UTF-8 without control characters, else null.
        static string? PrintableUtf8(byte[] bytes)
        {
            string text;
            try { text = new UTF8Encoding(false, true).GetString(bytes); }
            catch (DecoderFallbackException) { return null; }
            foreach (char ch in text) if (char.IsControl(ch)) return null;
            return text;
        }
    }

    // ---- /proc/PID/cmdline of a mount helper

    [Fact]
    public void HelperCommandLines()
    {
        var cases = new HostileCases("helper cmdline",
        [
            .. HostileSamples.Fixture("cmdline"),
            .. new[]
            {
                "mount.nfs4\0server:/path\0/mnt\0-o\0vers=4.1,hard\0",
                "/sbin/mount.nfs\0srv:/x\0/m\0-s\0-o\0nfsvers=3\0",
                "mount.nfs4\0server:/path\0/mnt\0-overs=4.1\0",
                "mount.nfs\0s:/\0/m\0-o\0hard\0-o\0timeo=50\0-o\0vers=3\0",
                "mount.nfs4\0-o\0vers=4.2\0s:/e\0/m\0",
                "/sbin/mount.efs\0fs-1234:/\0/mnt/efs\0-o\0tls\0",
                "mount.nfs\0srv:/my share\0/mnt/my share\0",
                "mount.nfs4\0s:/\0/m\0-o\0vers=4.1,password=hunter2\0",
            }.Select(ProcText.Latin1),
        ]).RandomBytes(2000).Truncations().Mutations().HugeLines(separator: 0, field: "-oa=1").NumericOverflow();
        var was = cases.Samples.Select(s => HelperCommandLine.Parse(s)).ToArray();

        Report(HostileProperty.Check(cases, Linear, input => (Request: HelperCommandLine.Parse(input), Helper: HelperCommandLine.HelperName(input)), (c, have) =>
        {
            Assert.True(have.Helper is null || HelperCommandLine.Helpers.Contains(have.Helper), have.Helper);
            if (have.Request is not { } r) return;
            Assert.True(r.FsType is "nfs" or "nfs4" && r.Source is not null && r.Target is not null && !r.FromCall, r.ToString());
            foreach (string? s in new[] { r.Source, r.Target, r.Options })
                Assert.True(s is null || (!s.Any(char.IsControl) && s.Length <= 4 * c.Input.Length + 16), $"\"{s}\" is not printable or too long");
            if (!c.IsEdit) return;
            var sample = cases.Samples[c.Sample];
            AssertSecretsHidden(c, sample, r.Options);
            // An edit inside one argument (not its first byte, not a NUL) changes only what that argument became.
            if (was[c.Sample] is not { } before || c.NewBytes().Contains((byte)0)) return;
            var args = HostileSamples.Tokens(sample, 0, b => b == 0);
            int k = args.FindIndex(a => c.EditStart > a.Start && c.EditEnd <= a.End);
            if (k <= 0 || sample[args[k].Start] == '-') return;
            string arg = Encoding.UTF8.GetString(sample, args[k].Start, args[k].End - args[k].Start);
            if (!sample.AsSpan(args[k - 1].Start, args[k - 1].End - args[k - 1].Start).SequenceEqual("-o"u8)) HostileProperty.Kept(before.Options, r.Options, "the options");
            foreach (var (old, now) in new[] { (before.Source, r.Source), (before.Target, r.Target) })
                if (old is null || !old.Contains(arg, StringComparison.Ordinal)) HostileProperty.Kept(old, now, "another argument");
        }));
    }

    // ---- the operator's signature file (--signatures)

    private const string SignatureOrigin = "/etc/nfswatch/signatures.json";

    [Fact]
    public void SignatureFiles()
    {
        using var stream = typeof(SignatureCatalog).Assembly.GetManifestResourceStream("NfsWatch.Core.signatures.json")!;
        using var defaults = new MemoryStream();
        stream.CopyTo(defaults);
        // The README's example, comments included.
        const string example = """
            {
              "signatures": [
                {
                  "id": "our-efs-outage",                      // a-z 0-9 - _ . ; becomes the metric label
                  "title": "EFS mount target down in this AZ",
                  "reference": "INC-1234",
                  "remediation": "Fail over to the other AZ.",
                  "applies_to": "mount",                       // mount | blocked | any (default)
                  "nfs_versions": ["4.1"],                     // optional; an unknown version does not rule it out
                  "kernel": { "from": "4.14", "before": "5.10" },   // optional, on the release's numeric head
                  "stacks": [
                    { "frames": ["rpc_wait_bit_killable", "rpc_create*"],  // innermost first, in order, gaps allowed
                      "role": "blocker",                       // optional: blocker | waiter
                      "wchan": "rpc_wait_bit_killable" }       // optional: matched instead when the stack is unreadable
                  ]
                }
              ]
            }
            """;
        var cases = new HostileCases("signatures.json",
        [
            defaults.ToArray(), ProcText.Utf8(example),
            .. HostileSamples.Column(SignatureCatalogTests.BadFiles, 1).Select(b => ProcText.Utf8(Encoding.UTF8.GetString(b).Replace('\'', '"'))),
        ]).RandomBytes(2000).Truncations().Mutations(maxPositions: 512).HugeLines(separator: (byte)',', field: "{}").NumericOverflow();
        var was = cases.Samples.Select(s => TryParse(s)).ToArray();
        var comments = cases.Samples.Select(Comments).ToArray();

        Report(HostileProperty.Check(cases, (64, 256 << 10), input => SignatureCatalog.Parse(input, SignatureOrigin), (c, have) =>
        {
            Assert.True(have.Count <= c.Input.Length / 60 + 1, $"{have.Count} signatures from {c.Input.Length} bytes");
            foreach (var s in have.Take(64))
            {
                Assert.True(s.Id.Length is > 0 and <= 64 && s.Id.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch is '-' or '_' or '.'), s.Id);
                Assert.NotEmpty(s.Stacks);
                Assert.All(s.Stacks, p => Assert.NotEmpty(p.Frames));
            }
            AssertCommentEditsChangeNothing(c, comments, was, have, Describe);
        }, documented: e => e is SignatureFileException && e.Message.StartsWith(SignatureOrigin + ": ", StringComparison.Ordinal)));

        static IReadOnlyList<StackSignature>? TryParse(byte[] json)
        {
            try { return SignatureCatalog.Parse(json, SignatureOrigin); }
            catch (SignatureFileException) { return null; }
        }

        static string Describe(IReadOnlyList<StackSignature> signatures) => string.Join("\n", signatures.Select(s =>
            $"{s} {string.Join(",", s.NfsVersions ?? [])} {string.Join(";", s.Stacks.Select(p => $"{string.Join(",", p.Frames)} {p.Anchored} {string.Join(",", p.Without ?? [])} {p.Wchan}"))}"));
    }

    // ---- the config file (--config, /etc/nfswatch/nfswatch.json)

    [Fact]
    public void ConfigFiles()
    {
        // On tmpfs when there is one: the file is rewritten for every case.
        string dir = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"nfswatch-hostile-{Guid.NewGuid():N}")).FullName;
        try { CheckConfigFiles(Path.Combine(dir, "nfswatch.json")); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private void CheckConfigFiles(string path)
    {
        // Every option set. Paths that exist on any Linux machine, so that the cases are the same everywhere.
        const string everyOption = """
            // every option, set
            {
              "threshold": "45s",       // a DURATION
              "interval": "2500ms",
              "listen": "127.0.0.1:9999",
              "textfile": "/tmp/nfswatch.prom",
              "signatures": "/dev/null",
              "kmsg": "/dev/kmsg",
              "log": "console",
              "procfs": "/",
              "state-dir": "/run/nfswatch",
              "ecs-introspection": "127.0.0.1:51678",
              "json": true,
            }
            """;
        var cases = new HostileCases("nfswatch.json", [File.ReadAllBytes(HostileSamples.SourceFile("packaging/nfswatch.json")), ProcText.Utf8(everyOption)])
            .RandomBytes(2000).Truncations().Mutations(maxPositions: 256).HugeLines(separator: (byte)',', field: "\"log\": \"console\"").NumericOverflow();
        var was = cases.Samples.Select(s =>
        {
            File.WriteAllBytes(path, s);
            try { return Load(path); }
            catch (UsageException) { return null; }
        }).ToArray();
        var comments = cases.Samples.Select(Comments).ToArray();
        // Rewritten in place for each case: creating the file each time costs more than the parse.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);

        Report(HostileProperty.Check(cases, (64, 256 << 10), _ => Load(path), (c, have) =>
        {
            Assert.Equal(path, have.ConfigFile);
            Assert.True(have.Threshold > TimeSpan.Zero && have.Interval > TimeSpan.Zero, $"{have.Threshold} {have.Interval}");
            AssertCommentEditsChangeNothing(c, comments, was, have, o => o.ToString());
        }, documented: e => e is UsageException && (e.Message.StartsWith(path + ": ", StringComparison.Ordinal) || e.Message.StartsWith("--config: cannot read '" + path, StringComparison.Ordinal)),
        prepare: input =>
        {
            file.SetLength(0);
            file.Write(input);
            file.Flush();
        }));

        static NfsWatchOptions Load(string path) => OptionsLoader.Load("run", ["--config", path], _ => null, "/nonexistent/nfswatch.json");
    }

    /// <summary>The text of each "//" comment of a JSON sample (outside strings): [start, end) up to the newline.</summary>
    private static List<(int Start, int End)> Comments(byte[] json)
    {
        var comments = new List<(int, int)>();
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            if (inString) { if (json[i] == '\\') i++; else if (json[i] == '"') inString = false; continue; }
            if (json[i] == '"') { inString = true; continue; }
            if (json[i] == '/' && i + 1 < json.Length && json[i + 1] == '/')
            {
                int end = json.AsSpan(i).IndexOf((byte)'\n') is >= 0 and var nl ? i + nl : json.Length;
                comments.Add((i + 2, end));
                i = end;
            }
        }
        return comments;
    }

    /// <summary>An edit inside a comment that does not end it (no newline) leaves what the file says alone.</summary>
    private static void AssertCommentEditsChangeNothing<T>(HostileCase c, List<(int Start, int End)>[] comments, T?[] was, T have, Func<T, string> describe)
        where T : class
    {
        if (!c.IsEdit || was[c.Sample] is not { } before || c.NewBytes().IndexOfAny((byte)'\n', (byte)'\r') >= 0) return;
        if (comments[c.Sample].Any(r => c.EditStart >= r.Start && c.EditEnd <= r.End))
            HostileProperty.Kept(describe(before), describe(have), "what the file says");
    }

    // ---- /proc/sys/kernel/osrelease (and the kernel ranges of signatures)

    [Fact]
    public void KernelReleases()
    {
        var cases = new HostileCases("osrelease", [.. HostileSamples.Fixture("osrelease"), ProcText.Latin1("4.14.355-275.582.amzn2.x86_64\n"), ProcText.Latin1("6.18.0\n")])
            .RandomBytes(2000).Truncations().Mutations().HugeLines(separator: (byte)'.').NumericOverflow();
        var was = cases.Samples.Select(s => (Version: KernelVersion.TryParse(Encoding.UTF8.GetString(s).Trim()),
            HeadEnd: s.AsSpan().IndexOfAnyExcept("0123456789."u8) is >= 0 and var end ? end : s.Length)).ToArray();

        Report(HostileProperty.Check(cases, Linear, input => KernelVersion.TryParse(Encoding.UTF8.GetString(input).Trim()), (c, have) =>
        {
            if (have is not null) Assert.True(new[] { have.Major, have.Minor, have.Patch }.All(n => n is >= 0 and <= 100_000), have.ToString());
            if (c.IsEdit && was[c.Sample].Version is { } before && c.EditStart > was[c.Sample].HeadEnd) HostileProperty.Kept(before, have, "the version");
        }));
    }

    /// <summary>
    /// After a number of the sample was replaced by one that does not fit (or a negative one), each value read is
    /// what it was or exactly the number written: never a wrapped or truncated one.
    /// </summary>
    private static void AssertNoWrap(HostileCase c, BigInteger[] before, BigInteger[] now)
    {
        for (int i = 0; i < before.Length; i++)
            Assert.True(now[i] == before[i] || now[i] == c.ReplacementValue, $"value {i} is {now[i]}: it was {before[i]}, and {c.Replacement} was written");
    }
}

/// <summary>One generated input, how it was made, and for an edit of a sample, which sample and where.</summary>
internal sealed record HostileCase(string Category, string Kind, byte[] Input)
{
    /// <summary>The sample the input was made from, or -1.</summary>
    public int Sample { get; init; } = -1;

    /// <summary>Sample bytes [EditStart, EditEnd) became <see cref="EditLength"/> new bytes (an insertion when EditStart == EditEnd); -1 when not an edit.</summary>
    public int EditStart { get; init; } = -1;

    public int EditEnd { get; init; } = -1;

    public int EditLength { get; init; }

    /// <summary>For a number replaced by one that does not fit: what was written.</summary>
    public string? Replacement { get; init; }

    public bool IsEdit => EditStart >= 0 && Sample >= 0;

    public BigInteger? ReplacementValue => Replacement switch
    {
        null => null,
        ['-', '0', 'x', .. var hex] => -BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber),
        ['0', 'x', .. var hex] => BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber),
        var dec => BigInteger.Parse(dec),
    };

    /// <summary>The bytes the edit wrote.</summary>
    public ReadOnlySpan<byte> NewBytes() => IsEdit ? Input.AsSpan(EditStart, EditLength) : default;

    /// <summary>The bytes the edit replaced.</summary>
    public byte[] OldBytes(byte[] sample) => IsEdit ? sample[EditStart..EditEnd] : [];

    /// <summary>
    /// Whether the edit reached sample bytes [start, end) or the delimiters either side of them (start - 1 and end):
    /// a record whose bytes and delimiters are untouched must parse as before.
    /// </summary>
    public bool Touches(int start, int end) =>
        IsEdit && (EditStart == EditEnd ? EditStart >= start && EditStart <= end : EditStart <= end && EditEnd >= start);
}

/// <summary>
/// Deterministic hostile inputs for one parser, from a seeded <see cref="Random"/>: its real samples, random bytes,
/// every truncation, single-byte edits, 1 MiB lines and numbers that do not fit.
/// </summary>
internal sealed class HostileCases
{
    public const int MaxRandomLength = 64 << 10;
    public const int Huge = 1 << 20;
    public const int ManyFields = 100_000;

    // Bytes that steer parsers: separators, brackets, digits, signs, escapes, quotes, NUL and invalid UTF-8.
    private static readonly byte[] Steering = ProcText.Latin1(" \t\n\0()[]<>:;,=-+.x0123456789abcdef\\/_#$\"'{}*|\xff\xfe\xc3\xa9\x80\xc0\xed\xa0");
    private static readonly byte[][] OtherInvalidUtf8 = [[0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x80]];
    private static readonly string[] DecimalOverflows = [new string('9', 30), "-1", "2147483648", "4294967296", "18446744073709551616", "-9223372036854775809"];
    private static readonly string[] HexOverflows = ["0x" + new string('f', 30), "0x10000000000000000", "-0x1"];

    private readonly Random _random;

    public HostileCases(string parser, IEnumerable<byte[]> samples)
    {
        Parser = parser;
        _random = new Random(HostileProperty.Seed ^ StableHash(parser));
        foreach (var s in samples)
            if (!Samples.Any(x => x.AsSpan().SequenceEqual(s))) Samples.Add(s);
        for (int i = 0; i < Samples.Count; i++) Cases.Add(new("sample", $"sample {i}", Samples[i]) { Sample = i });
    }

    public string Parser { get; }

    public List<byte[]> Samples { get; } = [];

    public List<HostileCase> Cases { get; } = [];

    /// <summary>Lengths 0..64 KiB, spread over the orders of magnitude: uniform bytes, steering bytes, and splices of samples.</summary>
    public HostileCases RandomBytes(int count)
    {
        for (int i = 0; i < count; i++)
        {
            int length = i == 0 ? MaxRandomLength : _random.Next(0, (1 << _random.Next(0, 17)) + 1);
            var bytes = new byte[length];
            string how;
            switch (i % 3)
            {
                case 0:
                    _random.NextBytes(bytes);
                    how = "uniform";
                    break;
                case 1:
                    for (int j = 0; j < length; j++) bytes[j] = Steering[_random.Next(Steering.Length)];
                    how = "steering";
                    break;
                default:
                    for (int j = 0; j < length;)
                    {
                        var s = Samples[_random.Next(Samples.Count)];
                        if (s.Length == 0 || _random.Next(4) == 0) { bytes[j++] = Steering[_random.Next(Steering.Length)]; continue; }
                        int from = _random.Next(s.Length), n = Math.Min(Math.Min(_random.Next(1, 65), s.Length - from), length - j);
                        s.AsSpan(from, n).CopyTo(bytes.AsSpan(j));
                        j += n;
                    }
                    how = "spliced";
                    break;
            }
            Cases.Add(new("random", $"random #{i}: {length} {how} bytes", bytes));
        }
        return this;
    }

    /// <summary>Every prefix of each sample.</summary>
    public HostileCases Truncations()
    {
        for (int i = 0; i < Samples.Count; i++)
        {
            var s = Samples[i];
            for (int length = 0; length < s.Length; length++)
                Cases.Add(new("truncation", $"the first {length} bytes of sample {i}", s[..length]) { Sample = i, EditStart = length, EditEnd = s.Length });
        }
        return this;
    }

    /// <summary>
    /// At every position (at most <paramref name="maxPositions"/> per sample, chosen at random): one flipped bit, and an
    /// inserted NUL, 0xFF, 0xC3 (a lead byte without its continuation), newline, and one other invalid UTF-8 sequence.
    /// </summary>
    public HostileCases Mutations(int maxPositions = 512)
    {
        for (int i = 0; i < Samples.Count; i++)
        {
            var s = Samples[i];
            var positions = Enumerable.Range(0, s.Length + 1).ToList();
            if (positions.Count > maxPositions) positions = [.. positions.OrderBy(_ => _random.Next()).Take(maxPositions).Order()];
            foreach (int at in positions)
            {
                if (at < s.Length)
                {
                    byte bit = (byte)(1 << _random.Next(8));
                    var flipped = (byte[])s.Clone();
                    flipped[at] ^= bit;
                    Cases.Add(new("mutation", $"byte {at} of sample {i} flipped from 0x{s[at]:x2} to 0x{flipped[at]:x2}", flipped) { Sample = i, EditStart = at, EditEnd = at + 1, EditLength = 1 });
                }
                byte[][] inserts = [[0], [0xff], [0xc3], [(byte)'\n'], OtherInvalidUtf8[_random.Next(OtherInvalidUtf8.Length)]];
                foreach (var inserted in inserts)
                    Cases.Add(new("mutation", $"{Convert.ToHexStringLower(inserted)} inserted before byte {at} of sample {i}", [.. s.AsSpan(0, at), .. inserted, .. s.AsSpan(at)])
                        { Sample = i, EditStart = at, EditEnd = at, EditLength = inserted.Length });
            }
        }
        return this;
    }

    /// <summary>
    /// 1 MiB of digits, of one token without a blank, of separators and of newlines; 100k fields; and the first
    /// samples with a number or a token grown to 1 MiB, 100k more fields, or repeated to 1 MiB.
    /// </summary>
    public HostileCases HugeLines(byte separator = (byte)' ', string field = "7")
    {
        var fieldBytes = Encoding.UTF8.GetBytes(field);
        Add("1 MiB of digits", Repeat((byte)'9', Huge));
        Add("1 MiB of 'a': one token without a blank", Repeat((byte)'a', Huge));
        var printable = new byte[Huge];
        for (int i = 0; i < Huge; i++) printable[i] = (byte)_random.Next(0x21, 0x7f);
        Add("1 MiB of random printable bytes without a blank", printable);
        Add($"1 MiB of the separator 0x{separator:x2}", Repeat(separator, Huge));
        Add("1 MiB of newlines", Repeat((byte)'\n', Huge));
        Add($"{ManyFields} fields \"{field}\"", Fields(fieldBytes, separator, ManyFields, leadingSeparator: false));
        for (int i = 0; i < Math.Min(2, Samples.Count); i++)
        {
            var s = Samples[i];
            if (NumericTokens(s).FirstOrDefault() is { End: > 0 } number)
                Add($"sample {i} with its first number 1 MiB of digits", [.. s.AsSpan(0, number.Start), .. Repeat((byte)'9', Huge), .. s.AsSpan(number.End)]);
            Add($"sample {i} with 1 MiB of 'x' in its middle", [.. s.AsSpan(0, s.Length / 2), .. Repeat((byte)'x', Huge), .. s.AsSpan(s.Length / 2)]);
            Add($"sample {i} and {ManyFields} more fields", [.. s.AsSpan().TrimEnd((byte)'\n'), .. Fields(fieldBytes, separator, ManyFields, leadingSeparator: true), (byte)'\n']);
            if (s.Length > 0)
            {
                var repeated = new List<byte>(Huge + s.Length);
                while (repeated.Count < Huge) repeated.AddRange(s);
                Add($"sample {i} repeated to 1 MiB", [.. repeated]);
            }
        }
        return this;

        void Add(string kind, byte[] input) => Cases.Add(new("huge", kind, input));
    }

    /// <summary>Each number of each sample (at most <paramref name="maxTokens"/>) replaced by one of 30 digits, a negative one, 2^31, 2^32 and 2^64.</summary>
    public HostileCases NumericOverflow(int maxTokens = 64)
    {
        for (int i = 0; i < Samples.Count; i++)
        {
            var s = Samples[i];
            var tokens = NumericTokens(s);
            if (tokens.Count > maxTokens) tokens = [.. tokens.OrderBy(_ => _random.Next()).Take(maxTokens).OrderBy(t => t.Start)];
            foreach (var (start, end, hex) in tokens)
                foreach (string replacement in hex ? HexOverflows : DecimalOverflows)
                    Cases.Add(new("overflow", $"{Encoding.Latin1.GetString(s, start, end - start)} at byte {start} of sample {i} replaced by {replacement}",
                        [.. s.AsSpan(0, start), .. Encoding.ASCII.GetBytes(replacement), .. s.AsSpan(end)])
                    { Sample = i, EditStart = start, EditEnd = end, EditLength = replacement.Length, Replacement = replacement });
        }
        return this;
    }

    /// <summary>Decimal numbers (not part of a word; a leading '-' included) and 0x hexadecimal ones.</summary>
    private static List<(int Start, int End, bool Hex)> NumericTokens(byte[] s)
    {
        var tokens = new List<(int, int, bool)>();
        static bool Word(byte b) => char.IsAsciiLetterOrDigit((char)b) || b == '_';
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit((char)s[i]) || (i > 0 && Word(s[i - 1]))) continue;
            bool hex = s[i] == '0' && i + 2 < s.Length && s[i + 1] == 'x' && char.IsAsciiHexDigit((char)s[i + 2]);
            int end = hex ? i + 2 : i;
            while (end < s.Length && (hex ? char.IsAsciiHexDigit((char)s[end]) : char.IsAsciiDigit((char)s[end]))) end++;
            int start = i > 0 && s[i - 1] == '-' && (i == 1 || !Word(s[i - 2])) ? i - 1 : i;
            if (end == s.Length || !Word(s[end])) tokens.Add((start, end, hex));
            i = end;
        }
        return tokens;
    }

    private static byte[] Repeat(byte b, int count)
    {
        var bytes = new byte[count];
        Array.Fill(bytes, b);
        return bytes;
    }

    private static byte[] Fields(byte[] field, byte separator, int count, bool leadingSeparator)
    {
        var bytes = new List<byte>((field.Length + 1) * count);
        for (int i = 0; i < count; i++)
        {
            if (i > 0 || leadingSeparator) bytes.Add(separator);
            bytes.AddRange(field);
        }
        return [.. bytes];
    }

    /// <summary>FNV-1a: string.GetHashCode differs from one process to the next.</summary>
    private static int StableHash(string s)
    {
        uint hash = 2166136261;
        foreach (char c in s) hash = (hash ^ c) * 16777619;
        return (int)hash;
    }
}

/// <summary>Runs a parser over hostile cases and checks the properties every parser owes its callers.</summary>
internal static class HostileProperty
{
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("NFSWATCH_FUZZ_SEED"), out int seed) ? seed : 20251127;

    /// <summary>Generous: the slowest case takes milliseconds. A case past it is a hang or a blow-up, not a slow machine.</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    private const int MinCases = 2000;

    [ThreadStatic]
    private static int t_kept;

    /// <summary>What an edit did not touch reads as before: counted, so that a summary shows the property was not vacuous.</summary>
    public static void Kept<T>(T before, T now, string what)
    {
        t_kept++;
        if (!EqualityComparer<T>.Default.Equals(before, now)) Assert.Fail($"{what} changed although the edit did not touch it: was {before}, now {now}");
    }

    /// <summary>
    /// Parses every case on a thread of its own (so that a hang fails the test, naming the input, rather than
    /// stopping the run) and checks: it throws nothing but <paramref name="documented"/>; it answers within
    /// <see cref="CaseLimit"/>; it allocates at most PerByte x input length + Fixed bytes; and <paramref name="verify"/>
    /// holds for what it returned. Returns a one-line summary.
    /// </summary>
    public static string Check<T>(HostileCases cases, (int PerByte, int Fixed) allocation, Func<byte[], T> parse, Action<HostileCase, T> verify,
        Func<Exception, bool>? documented = null, Action<byte[]>? prepare = null)
    {
        string? failure = null;
        int current = -1, rejected = 0, kept = 0;
        var spent = new Dictionary<string, TimeSpan>();
        var worker = new Thread(() =>
        {
            try
            {
                // JIT, static constructors and pools are not charged to the first cases.
                foreach (var c in cases.Cases.Take(3))
                {
                    prepare?.Invoke(c.Input);
                    try { parse(c.Input); } catch (Exception) { }
                }
                t_kept = 0;
                for (int i = 0; i < cases.Cases.Count && failure is null; i++)
                {
                    Volatile.Write(ref current, i);
                    var c = cases.Cases[i];
                    prepare?.Invoke(c.Input);
                    T result = default!;
                    Exception? thrown = null;
                    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                    long started = Stopwatch.GetTimestamp();
                    try { result = parse(c.Input); }
                    catch (Exception e) { thrown = e; }
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    spent[c.Category] = spent.GetValueOrDefault(c.Category) + elapsed;
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                    long allowed = (long)allocation.PerByte * c.Input.Length + allocation.Fixed;
                    if (thrown is not null && !(documented?.Invoke(thrown) ?? false))
                        failure = Describe(cases, i, $"threw {thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}");
                    else if (elapsed > CaseLimit)
                        failure = Describe(cases, i, $"took {elapsed.TotalSeconds:0.0} s (limit {CaseLimit.TotalSeconds} s)");
                    else if (allocated > allowed)
                        failure = Describe(cases, i, $"allocated {allocated} bytes for {c.Input.Length} bytes of input (allowed {allowed}: {allocation.PerByte} per byte + {allocation.Fixed})");
                    else if (thrown is not null)
                        rejected++;
                    else
                    {
                        try { verify(c, result); }
                        catch (Exception e) { failure = Describe(cases, i, e.Message); }
                    }
                }
                kept = t_kept;
            }
            catch (Exception e)
            {
                failure ??= $"{cases.Parser}: the run itself failed: {e}";
            }
        }) { IsBackground = true, Name = $"hostile {cases.Parser}" };
        var clock = Stopwatch.StartNew();
        worker.Start();
        if (!worker.Join(RunLimit))
            Assert.Fail(Describe(cases, Volatile.Read(ref current), $"no answer after {RunLimit.TotalSeconds} s: a hang or a blow-up"));
        if (failure is not null) Assert.Fail(failure);
        Assert.True(cases.Cases.Count >= MinCases, $"{cases.Parser}: only {cases.Cases.Count} cases");
        string byCategory = string.Join(", ", cases.Cases.GroupBy(c => c.Category).Select(g => $"{g.Key} {g.Count()} ({spent.GetValueOrDefault(g.Key).TotalMilliseconds:0} ms)"));
        return $"{cases.Parser}: {cases.Cases.Count} cases ({byCategory}; {rejected} rejected as documented; {kept} untouched parts compared) in {clock.ElapsedMilliseconds} ms, seed {Seed}";
    }

    private static string Describe(HostileCases cases, int index, string problem)
    {
        if (index < 0) return $"{cases.Parser}: {problem} (before the first case), seed {Seed}";
        var c = cases.Cases[index];
        const int maxHex = 4096;
        string hex = Convert.ToHexStringLower(c.Input.AsSpan(0, Math.Min(c.Input.Length, maxHex))) +
            (c.Input.Length > maxHex ? $"... (the first {maxHex} of {c.Input.Length} bytes)" : "");
        return $"{cases.Parser}: {problem}\n" +
            $"case #{index} of {cases.Cases.Count}: {c.Kind}\n" +
            $"seed {Seed} (NFSWATCH_FUZZ_SEED={Seed} makes the same cases)\n" +
            $"input, {c.Input.Length} bytes: {ProcText.Describe(c.Input)}\n" +
            $"hex: {hex}";
    }

    /// <summary>
    /// For a parser that reads records unit by unit (lines, or mountstats blocks): the records of the units before
    /// and after those the edit touched come out as the sample's did, in order. <paramref name="spreadsBack"/> more
    /// units before the edit may change too.
    /// </summary>
    public static void AssertUntouchedRecordsKept<TRecord>(HostileCase c, List<(int Start, int End)> units, List<List<string>> perUnit,
        IReadOnlyList<TRecord> have, Func<TRecord, string> key, int spreadsBack = 0)
    {
        int first = -1, last = -1;
        for (int u = 0; u < units.Count; u++)
            if (c.Touches(units[u].Start, units[u].End)) { if (first < 0) first = u; last = u; }
        if (first < 0) return;
        int kept = Math.Max(0, first - spreadsBack);
        int before = perUnit.Take(kept).Sum(r => r.Count), after = perUnit.Skip(last + 1).Sum(r => r.Count);
        Assert.True(have.Count >= before + after, $"{have.Count} records, fewer than the {before + after} the edit did not touch");
        int i = 0;
        for (int u = 0; u < kept; u++)
            foreach (string record in perUnit[u]) Kept(record, key(have[i++]), "a record before the edit");
        i = have.Count - after;
        for (int u = last + 1; u < units.Count; u++)
            foreach (string record in perUnit[u]) Kept(record, key(have[i++]), "a record after the edit");
        int slack = last - first + 1 + spreadsBack + 2;
        Assert.True(have.Count - before - after <= slack, $"{have.Count - before - after} records from {last - first + 1} edited units");
    }
}

/// <summary>Real samples: the fixture proc trees, the theories' data, files of the source tree.</summary>
internal static class HostileSamples
{
    /// <summary>Every file called <paramref name="name"/> in the fixture proc trees, in a fixed order, symlinks skipped.</summary>
    public static byte[][] Fixture(string name)
    {
        var found = new List<byte[]>();
        Walk(Path.GetDirectoryName(Fixtures.Proc("arm64"))!);
        return [.. found];

        void Walk(string dir)
        {
            foreach (string file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                if (Path.GetFileName(file) == name && new FileInfo(file).LinkTarget is null) found.Add(File.ReadAllBytes(file));
            foreach (string sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
                if (new DirectoryInfo(sub).LinkTarget is null) Walk(sub);
        }
    }

    /// <summary>One column of a theory's data, as UTF-8.</summary>
    public static byte[][] Column(IEnumerable<object?[]> data, int column = 0) => [.. data.Select(row => ProcText.Utf8((string)row[column]!))];

    /// <summary>A file of the source tree, found from the test binary upwards.</summary>
    public static string SourceFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"no {relative} above {AppContext.BaseDirectory}");
    }

    /// <summary>The lines of <paramref name="text"/> as [start, end) ranges, end at the '\n' (a last empty line included).</summary>
    public static List<(int Start, int End)> Lines(byte[] text)
    {
        var lines = new List<(int, int)>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
            if (i == text.Length || text[i] == '\n') { lines.Add((start, i)); start = i + 1; }
        return lines;
    }

    /// <summary>The runs of bytes that are not <paramref name="separator"/> from <paramref name="from"/> on, as [start, end) ranges.</summary>
    public static List<(int Start, int End)> Tokens(byte[] text, int from, Func<byte, bool> separator)
    {
        var tokens = new List<(int, int)>();
        for (int i = from; i < text.Length;)
        {
            while (i < text.Length && separator(text[i])) i++;
            int start = i;
            while (i < text.Length && !separator(text[i])) i++;
            if (i > start) tokens.Add((start, i));
        }
        return tokens;
    }
}
