using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>/proc/uptime: "UP IDLE"; only the first number, seconds since boot, is read.</summary>
public class UptimeTests
{
    [Theory]
    [InlineData("94.65 165.85\n", 94.65)]
    [InlineData("521.45 949.80\n", 521.45)]          // this machine
    [InlineData("0.00 0.00\n", 0)]
    [InlineData("12345678.90 24691357.80\n", 12345678.90)]
    [InlineData("94.65", 94.65)]                     // no idle time, no newline
    [InlineData("  94.65\t165.85", 94.65)]
    [InlineData("94 165", 94)]
    [InlineData("94.65 garbage", 94.65)]             // the idle field is never read
    [InlineData("\0 94.65 165.85", 94.65)]
    public void TryParse(string text, double want)
    {
        Assert.True(Uptime.TryParse(ProcText.Latin1(text), out double have, out string? error), error);
        Assert.Null(error);
        Assert.Equal(want, have, 6);
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("\n", "\"\\n\"")]
    [InlineData("   ", "\"   \"")]
    [InlineData("abc 165.85\n", "abc 165.85")]
    [InlineData("-1.00 165.85\n", "-1.00 165.85")]
    [InlineData("94,65 165,85\n", "94,65 165,85")]
    [InlineData("9.4e1 165.85\n", "9.4e1 165.85")]
    [InlineData("94.65.1 165.85\n", "94.65.1 165.85")]
    [InlineData("+94.65 165.85\n", "+94.65 165.85")]
    [InlineData("0x5e 165.85\n", "0x5e 165.85")]
    [InlineData("Infinity 1\n", "Infinity 1")]
    [InlineData(". 1\n", ". 1")]
    [InlineData("94.65\r\n", "94.65\\x0d")]
    public void TryParse_Failures(string text, string wantQuoted)
    {
        Assert.False(Uptime.TryParse(ProcText.Latin1(text), out _, out string? error));
        Assert.NotNull(error);
        Assert.StartsWith("uptime: bad uptime: ", error);
        Assert.Contains(wantQuoted, error);
    }

    [Fact]
    public void TryParse_HostileInput_NeverThrows()
    {
        HostileInputs.AssertNeverThrows(HostileInputs.Generate(ProcText.Latin1("94.65 165.85\n")), input =>
        {
            bool ok = Uptime.TryParse(input, out double have, out string? error);
            HostileInputs.AssertContract(ok, error, "uptime");
            if (ok) Assert.True(have >= 0 && double.IsFinite(have), have.ToString());
        });
    }
}
