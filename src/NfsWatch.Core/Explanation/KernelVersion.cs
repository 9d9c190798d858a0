namespace NfsWatch.Core.Explanation;

/// <summary>The numeric head of a kernel release: "6.1.0-56-amd64" is 6.1.0, "4.14.355-275.582.amzn2.x86_64" is 4.14.355.</summary>
public sealed record KernelVersion(int Major, int Minor, int Patch) : IComparable<KernelVersion>
{
    public static KernelVersion? TryParse(string release)
    {
        var parts = new int[3];
        int part = 0, i = 0;
        bool any = false;
        while (i < release.Length && part < 3)
        {
            if (char.IsAsciiDigit(release[i]))
            {
                any = true;
                parts[part] = Math.Min(parts[part] * 10 + (release[i] - '0'), 100_000);
            }
            else if (release[i] == '.' && any) part++;
            else break;
            i++;
        }
        return any ? new KernelVersion(parts[0], parts[1], parts[2]) : null;
    }

    public int CompareTo(KernelVersion? other) =>
        other is null ? 1 : (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}

/// <summary>Kernels from <see cref="From"/> (inclusive) to <see cref="Before"/> (exclusive); either may be open.</summary>
public sealed record KernelRange(KernelVersion? From, KernelVersion? Before)
{
    public bool Contains(KernelVersion v) =>
        (From is null || v.CompareTo(From) >= 0) && (Before is null || v.CompareTo(Before) < 0);
}
