using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>ProcFs.TryParsePositive: which /proc (or /proc/PID/task) directory names are process or thread ids.</summary>
public class ProcFsTryParsePositiveTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("0012", 12)]
    [InlineData("0", 0)]
    [InlineData("4194304", 4194304)]                // PID_MAX_LIMIT on 64-bit
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("0000000001", 1)]                   // ten characters, the longest accepted
    public void TryParsePositive(string name, int want)
    {
        Assert.True(ProcFs.TryParsePositive(ProcText.Latin1(name), out int have));
        Assert.Equal(want, have);
    }

    [Theory]
    [InlineData("")]
    [InlineData("self")]
    [InlineData("thread-self")]
    [InlineData("1a")]
    [InlineData("a1")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1\0")]
    [InlineData("2147483648")]                      // int.MaxValue + 1
    [InlineData("9999999999")]                      // ten digits, too big
    [InlineData("99999999999")]                     // eleven digits
    [InlineData("00000000001")]                     // eleven characters, even if small
    [InlineData("\u0661")]                          // ARABIC-INDIC DIGIT ONE, two UTF-8 bytes, not an ASCII digit
    public void TryParsePositive_Rejects(string name)
    {
        Assert.False(ProcFs.TryParsePositive(ProcText.Utf8(name), out int have));
        Assert.Equal(0, have);
    }

    [Fact]
    public void TryParsePositive_RejectsNonAsciiDigits()
    {
        Assert.False(ProcFs.TryParsePositive("\u0661\u0662"u8, out _));   // Arabic-Indic digits in UTF-8
        Assert.False(ProcFs.TryParsePositive([0xff], out _));
        Assert.False(ProcFs.TryParsePositive([(byte)'1', 0x80], out _));
    }

    [Fact]
    public void TryParsePositive_EveryIntUpTo10Digits()
    {
        foreach (int want in new[] { 1, 9, 10, 99, 100, 32768, 65535, 999999999, 1000000000, int.MaxValue - 1 })
        {
            Assert.True(ProcFs.TryParsePositive(ProcText.Latin1(want.ToString()), out int have));
            Assert.Equal(want, have);
        }
    }

    [Fact]
    public void TryParsePositive_HostileInput_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(ProcText.Latin1("3553"), ProcText.Latin1("2147483647")), input =>
        {
            bool ok = ProcFs.TryParsePositive(input, out int have);
            if (ok)
            {
                Assert.InRange(input.Length, 1, 10);
                Assert.All(input, b => Assert.InRange(b, (byte)'0', (byte)'9'));
                Assert.Equal(long.Parse(System.Text.Encoding.ASCII.GetString(input)), have);
            }
            else
            {
                Assert.Equal(0, have);
            }
        });
    }
}
