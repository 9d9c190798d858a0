using NfsWatch.Core.Explanation;

namespace NfsWatch.Tests.Explanation;

/// <summary>The numeric head of a kernel release (uname -r) and ranges of them, as signatures use them.</summary>
public class KernelVersionTests
{
    [Theory]
    [InlineData("6.1.0-56-amd64", 6, 1, 0)] // Debian 12
    [InlineData("4.14.355-275.582.amzn2.x86_64", 4, 14, 355)] // Amazon Linux 2
    [InlineData("5.10", 5, 10, 0)]
    [InlineData("3.10.0-1160.el7.x86_64", 3, 10, 0)] // CentOS 7
    [InlineData("6.18.0", 6, 18, 0)]
    [InlineData("5.15.0-1051-aws", 5, 15, 0)] // Ubuntu
    [InlineData("6.6.30-flatcar", 6, 6, 30)]
    [InlineData("6.10.0-rc3", 6, 10, 0)]
    [InlineData("4.19.0+", 4, 19, 0)]
    [InlineData("6", 6, 0, 0)]
    [InlineData("6.", 6, 0, 0)]
    [InlineData("6.1.2.3", 6, 1, 2)]
    [InlineData("2.6.32-754.el6.x86_64", 2, 6, 32)]
    public void TryParse(string release, int major, int minor, int patch)
    {
        Assert.Equal(new KernelVersion(major, minor, patch), KernelVersion.TryParse(release));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData(".5")]
    [InlineData("v6.1")]
    [InlineData("-6.1")]
    [InlineData(" 6.1")]
    public void TryParseOfNoVersionIsNull(string release)
    {
        Assert.Null(KernelVersion.TryParse(release));
    }

    [Fact]
    public void TryParseOfHugeNumbersDoesNotOverflow()
    {
        var have = KernelVersion.TryParse("99999999999999999999.1.2");

        Assert.NotNull(have);
        Assert.True(have.Major > 0);
        Assert.Equal((1, 2), (have.Minor, have.Patch));
    }

    [Theory]
    [InlineData("4.13.0", "4.13.0", 0)]
    [InlineData("4.13.0", "4.12.99", 1)]
    [InlineData("4.9.0", "4.13.0", -1)]
    [InlineData("5.0.0", "4.99.99", 1)]
    [InlineData("6.1.1", "6.1.0", 1)]
    public void CompareTo(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(KernelVersion.TryParse(a)!.CompareTo(KernelVersion.TryParse(b))));
    }

    [Fact]
    public void EverythingIsAfterNull()
    {
        Assert.Equal(1, new KernelVersion(0, 0, 0).CompareTo(null));
    }

    [Fact]
    public void ToStringIsTheThreeNumbers()
    {
        Assert.Equal("4.14.355", KernelVersion.TryParse("4.14.355-275.582.amzn2.x86_64")!.ToString());
    }

    [Theory]
    // from is inclusive, before is exclusive.
    [InlineData("3.10", "4.13", "3.10.0", true)]
    [InlineData("3.10", "4.13", "3.9.99", false)]
    [InlineData("3.10", "4.13", "4.12.99", true)]
    [InlineData("3.10", "4.13", "4.13.0", false)]
    [InlineData("3.10", "4.13", "4.13.1", false)]
    [InlineData("3.10", "4.13", "6.1.0", false)]
    // Open ends.
    [InlineData(null, "4.13", "2.6.32", true)]
    [InlineData(null, "4.13", "4.13.0", false)]
    [InlineData("5.10", null, "5.10.0", true)]
    [InlineData("5.10", null, "99.0.0", true)]
    [InlineData("5.10", null, "5.9.200", false)]
    [InlineData(null, null, "0.0.0", true)]
    // An empty range contains nothing.
    [InlineData("5.0", "5.0", "5.0.0", false)]
    public void KernelRangeContains(string? from, string? before, string version, bool want)
    {
        var range = new KernelRange(from is null ? null : KernelVersion.TryParse(from), before is null ? null : KernelVersion.TryParse(before));

        Assert.Equal(want, range.Contains(KernelVersion.TryParse(version)!));
    }
}
