namespace NfsWatch.Core.Procfs;

/// <summary>Enumerates the runs of non-blank bytes of a line (blank: space, tab, newline, NUL).</summary>
public ref struct SpaceTokens
{
    private ReadOnlySpan<byte> _rest;

    public SpaceTokens(ReadOnlySpan<byte> text)
    {
        _rest = text;
        Current = default;
    }

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly SpaceTokens GetEnumerator() => this;

    public bool MoveNext()
    {
        int i = 0;
        while (i < _rest.Length && IsBlank(_rest[i])) i++;
        if (i == _rest.Length) { _rest = default; return false; }
        int j = i;
        while (j < _rest.Length && !IsBlank(_rest[j])) j++;
        Current = _rest[i..j];
        _rest = _rest[j..];
        return true;
    }

    public static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or 0;
}
