using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>Which threads a signature is about.</summary>
public enum SignatureScope { Any, Mount, Blocked }

/// <summary>
/// One stack shape of a known problem: frame patterns that must appear in this order in the stack,
/// innermost first, not necessarily adjacent. A pattern is one or more alternatives separated by '|', each
/// a function name in which '*' stands for any run of characters ("*mutex_lock*"). When the stack cannot
/// be read, <see cref="Wchan"/>, if given, is matched against the thread's wchan instead.
/// </summary>
public sealed record StackPattern(IReadOnlyList<string> Frames, string? Role, string? Wchan)
{
    public bool Matches(IReadOnlyList<string> stack, string? wchan)
    {
        if (stack.Count == 0) return Wchan is not null && wchan is not null && FrameMatches(Wchan, wchan);
        int at = 0;
        foreach (string pattern in Frames)
        {
            while (at < stack.Count && !FrameMatches(pattern, stack[at])) at++;
            if (at == stack.Count) return false;
            at++;
        }
        return true;
    }

    private static bool FrameMatches(string pattern, string frame)
    {
        foreach (var alternative in pattern.Split('|')) if (Glob(alternative, frame)) return true;
        return false;
    }

    /// <summary>'*' matches any run of characters; everything else matches itself.</summary>
    internal static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy matching that backtracks only to the last '*': at most pattern x text steps, however many
        // stars an operator's signature holds (trying every split for every star is polynomial in the stars).
        int p = 0, t = 0, starAt = -1, resumeAt = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { starAt = p++; resumeAt = t; }
            else if (p < pattern.Length && pattern[p] == text[t]) { p++; t++; }
            else if (starAt >= 0) { p = starAt + 1; t = ++resumeAt; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>A known kernel problem: its stack shapes and what a person should know and do about it.</summary>
public sealed record StackSignature(
    string Id,
    string Title,
    string Reference,
    string Remediation,
    SignatureScope Scope,
    IReadOnlyList<string>? NfsVersions,
    KernelRange? Kernel,
    IReadOnlyList<StackPattern> Stacks)
{
    public SignatureMatch ToMatch() => new(Id, Title, Reference, Remediation);

    /// <summary>The pattern that matches the thread, or null.</summary>
    public StackPattern? Match(StuckThread thread, bool isMountCall, KernelVersion? kernel)
    {
        if (Scope == SignatureScope.Mount && !isMountCall) return null;
        if (Scope == SignatureScope.Blocked && isMountCall) return null;
        // An unknown NFS version does not rule a signature out; a known other version does.
        if (NfsVersions is not null && thread.NfsVersion is string v && !NfsVersions.Contains(v)) return null;
        if (Kernel is not null && kernel is not null && !Kernel.Contains(kernel)) return null;
        foreach (var pattern in Stacks) if (pattern.Matches(thread.Stack, thread.Wchan)) return pattern;
        return null;
    }
}
