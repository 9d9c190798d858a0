using System.Text;
using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>SpaceTokens: the runs of non-blank bytes (blank: space, tab, newline, NUL) that every parser splits on.</summary>
public class SpaceTokensTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData(" \t\n\0 ", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a b", new[] { "a", "b" })]
    [InlineData("  a  b  ", new[] { "a", "b" })]
    [InlineData("a\tb\nc\0d", new[] { "a", "b", "c", "d" })]
    [InlineData("165 0x1 0x2\n", new[] { "165", "0x1", "0x2" })]
    [InlineData("a\rb\vc\fd", new[] { "a\rb\vc\fd" })]              // only the four blanks separate
    [InlineData("(a b) c", new[] { "(a", "b)", "c" })]
    public void Tokens(string text, string[] want)
    {
        var have = new List<string>();
        foreach (var token in new SpaceTokens(Encoding.Latin1.GetBytes(text))) have.Add(Encoding.Latin1.GetString(token));
        Assert.Equal(want, have);
    }

    [Theory]
    [InlineData((byte)' ', true)]
    [InlineData((byte)'\t', true)]
    [InlineData((byte)'\n', true)]
    [InlineData((byte)0, true)]
    [InlineData((byte)'\r', false)]
    [InlineData((byte)'a', false)]
    [InlineData((byte)0xa0, false)]
    public void IsBlank(byte b, bool want)
    {
        Assert.Equal(want, SpaceTokens.IsBlank(b));
    }

    [Fact]
    public void MoveNextAfterTheEndStaysFalse()
    {
        var tokens = new SpaceTokens("a "u8);
        Assert.True(tokens.MoveNext());
        Assert.True(tokens.Current.SequenceEqual("a"u8));
        Assert.False(tokens.MoveNext());
        Assert.False(tokens.MoveNext());
    }

    [Fact]
    public void HugeInput()
    {
        var text = new byte[1 << 20];
        for (int i = 0; i < text.Length; i++) text[i] = i % 2 == 0 ? (byte)'x' : (byte)' ';
        int n = 0;
        foreach (var token in new SpaceTokens(text)) { Assert.Equal(1, token.Length); n++; }
        Assert.Equal(1 << 19, n);
    }
}
