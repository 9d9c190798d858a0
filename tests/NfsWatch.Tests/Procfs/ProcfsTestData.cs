using System.Text;

namespace NfsWatch.Tests.Procfs;

/// <summary>Shared builders for the procfs parser tests: proc lines as bytes, and hostile inputs.</summary>
internal static class ProcText
{
    /// <summary>Every char of <paramref name="s"/> (U+0000..U+00FF) as one byte, so "\xff" is the byte 0xFF.</summary>
    public static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>
    /// A full 52-field /proc/PID/task/TID/stat line (proc(5)) with the given command name bytes and the fields
    /// the parser reads; the others are taken from a real line of this machine's `cat /proc/self/stat`.
    /// </summary>
    public static byte[] StatLine(byte[] comm, string state = "S", string ppid = "3551", string flags = "4194304",
        string startTime = "52145", int pid = 3553, bool newline = true)
    {
        var head = $"{pid} (";
        var tail =
            $") {state} {ppid} 3551 3137 0 -1 {flags} 100 0 0 0 0 0 0 0 20 0 1 0 {startTime} 3133440 389 " +
            "18446744073709551615 94254252077056 94254252096937 140734757267520 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 " +
            "94254252112944 94254252114560 94254617559040 140734757276131 140734757276151 140734757276151 " +
            "140734757277675 0" + (newline ? "\n" : "");
        return [.. Latin1(head), .. comm, .. Latin1(tail)];
    }

    public static byte[] StatLine(string comm, string state = "S", string ppid = "3551", string flags = "4194304",
        string startTime = "52145") => StatLine(Utf8(comm), state, ppid, flags, startTime);

    /// <summary>A short, escaped rendering of an input for assertion messages.</summary>
    public static string Describe(byte[] input)
    {
        var sb = new StringBuilder();
        sb.Append(input.Length).Append(" bytes: \"");
        foreach (byte b in input.AsSpan(0, Math.Min(input.Length, 80)))
        {
            if (b is >= 0x20 and < 0x7f && b != '\\') sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2"));
        }
        sb.Append(input.Length > 80 ? "\"..." : "\"");
        return sb.ToString();
    }
}

/// <summary>
/// Deterministic hostile inputs for the "never throws" property tests: 2,000 random byte arrays from
/// <c>new Random(1234)</c> (uniform bytes with NULs and invalid UTF-8, bytes drawn from the characters proc
/// parsers care about, random mutations and splices of valid lines), every truncation of each valid line,
/// and a handful of 1 MiB lines.
/// </summary>
internal static class HostileInputs
{
    public const int RandomCount = 2000;
    public const int HugeSize = 1 << 20;

    // Bytes that steer the parsers: separators, brackets, digits, signs, escapes, NUL and invalid UTF-8.
    private static readonly byte[] Interesting =
        ProcText.Latin1(" \t\n\0()[]<>:-+.x0123456789abcdef\\/_#$,=\xff\xfe\xc3\xa9\x80\xc0\xed\xa0");

    public static IEnumerable<byte[]> Generate(params byte[][] validLines)
    {
        var rng = new Random(1234);
        for (int i = 0; i < RandomCount; i++)
        {
            yield return (i % 5) switch
            {
                0 => RandomBytes(rng, rng.Next(0, 400)),
                1 => FromAlphabet(rng, rng.Next(0, 400)),
                2 => Mutate(rng, validLines[rng.Next(validLines.Length)]),
                3 => Splice(rng, validLines[rng.Next(validLines.Length)], validLines[rng.Next(validLines.Length)]),
                _ => InvalidUtf8(rng, validLines[rng.Next(validLines.Length)]),
            };
        }

        foreach (var line in validLines)
        {
            for (int len = 0; len <= line.Length; len++) yield return line[..len];
            for (int start = 1; start < line.Length; start++) yield return line[start..];
        }

        // Huge lines: random bytes, one repeated byte of each interesting kind, and a valid line followed by a
        // 1 MiB tail with no newline (what a capped read of a corrupted file could hand over).
        yield return RandomBytes(rng, HugeSize);
        yield return FromAlphabet(rng, HugeSize);
        foreach (byte b in "a()[] \n0-\\:"u8.ToArray()) yield return Enumerable.Repeat(b, HugeSize).ToArray();
        foreach (var line in validLines)
        {
            yield return [.. line.AsSpan().TrimEnd((byte)'\n'), .. Enumerable.Repeat((byte)'7', HugeSize)];
            yield return [.. line, .. FromAlphabet(rng, HugeSize)];
            var repeated = new List<byte>(HugeSize + line.Length);
            while (repeated.Count < HugeSize) repeated.AddRange(line);
            yield return [.. repeated];
        }
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    private static byte[] FromAlphabet(Random rng, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = Interesting[rng.Next(Interesting.Length)];
        return bytes;
    }

    private static byte[] Mutate(Random rng, byte[] line)
    {
        var bytes = new List<byte>(line);
        int edits = rng.Next(1, 8);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(bytes.Count + 1);
            byte b = rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256);
            switch (rng.Next(3))
            {
                case 0: bytes.Insert(at, b); break;
                case 1 when at < bytes.Count: bytes.RemoveAt(at); break;
                default: if (at < bytes.Count) bytes[at] = b; break;
            }
        }
        return [.. bytes];
    }

    private static byte[] Splice(Random rng, byte[] a, byte[] b)
    {
        int cutA = rng.Next(a.Length + 1);
        int cutB = rng.Next(b.Length + 1);
        return [.. a.AsSpan(0, cutA), .. b.AsSpan(cutB)];
    }

    private static byte[] InvalidUtf8(Random rng, byte[] line)
    {
        var bytes = (byte[])line.Clone();
        byte[][] bad = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x00], [0x80]];
        int at = rng.Next(bytes.Length + 1);
        return [.. bytes.AsSpan(0, at), .. bad[rng.Next(bad.Length)], .. bytes.AsSpan(at)];
    }

    /// <summary>
    /// Runs <paramref name="parse"/> on every input and fails with the first input that throws, or that
    /// breaks the result contract checked by <paramref name="parse"/> itself.
    /// </summary>
    public static void AssertNeverThrows(IEnumerable<byte[]> inputs, Action<byte[]> parse, int minCount = RandomCount + 1)
    {
        int count = 0;
        foreach (var input in inputs)
        {
            count++;
            var ex = Record.Exception(() => parse(input));
            if (ex is not null)
                Assert.Fail($"threw {ex.GetType().Name} ({ex.Message}) on input #{count}, {ProcText.Describe(input)}");
        }
        Assert.True(count >= minCount, $"only {count} inputs were generated");
    }

    /// <summary>The contract of every TryParse: true with no error, or false with "FILE: ..." as the error.</summary>
    public static void AssertContract(bool ok, string? error, string file)
    {
        if (ok)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            Assert.StartsWith(file + ": ", error);
            Assert.True(error.Length < 1000, $"error message of {error.Length} chars is not bounded");
        }
    }
}
