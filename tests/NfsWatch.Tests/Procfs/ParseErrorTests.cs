using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

/// <summary>ParseError: the quoted, bounded, escaped proc content in every parser error.</summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("running", "\"running\"")]
    [InlineData("a b\tc", "\"a b\\x09c\"")]
    [InlineData("line\n", "\"line\\n\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("C:\\x", "\"C:\\\\x\"")]
    [InlineData("\0\x01\x1f\x7f", "\"\\x00\\x01\\x1f\\x7f\"")]
    [InlineData("\x80\xff", "\"\\x80\\xff\"")]
    [InlineData("~ !", "\"~ !\"")]
    public void Quote(string content, string want)
    {
        Assert.Equal(want, ParseError.Quote(ProcText.Latin1(content)));
    }

    [Theory]
    [InlineData(119, "")]
    [InlineData(120, "")]
    [InlineData(121, " (+1 bytes)")]
    [InlineData(1 << 20, " (+1048456 bytes)")]
    public void Quote_IsBoundedTo120Bytes(int length, string wantSuffix)
    {
        var content = new byte[length];
        Array.Fill(content, (byte)'a');
        string have = ParseError.Quote(content);
        Assert.Equal("\"" + new string('a', Math.Min(length, 120)) + "\"" + wantSuffix, have);
    }

    [Fact]
    public void Quote_EscapesWithinTheBound()
    {
        var content = new byte[200];
        Array.Fill(content, (byte)0xff);
        string have = ParseError.Quote(content);
        Assert.Equal("\"" + string.Concat(Enumerable.Repeat("\\xff", 120)) + "\" (+80 bytes)", have);
    }

    [Fact]
    public void Message()
    {
        Assert.Equal("stat: bad state field: \"1 (x) RS\"", ParseError.Message("stat", "bad state field", "1 (x) RS"u8));
    }
}
