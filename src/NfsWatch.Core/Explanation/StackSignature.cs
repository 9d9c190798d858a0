using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>Which threads a signature is about.</summary>
public enum SignatureScope { Any, Mount, Blocked }

/// <summary>
/// One stack shape of a known problem: frame patterns that must appear in this order in the stack,
/// innermost first, not necessarily adjacent. A pattern is one or more alternatives separated by '|', each
/// a function name in which '*' stands for any run of characters ("nfs4_*"). With <see cref="Anchored"/>
/// the first pattern must match the innermost frame itself: the function the thread sleeps in, which for a
/// sleeping lock is the function that took it (the lock's own frames are never shown; see HiddenFrames).
/// No frame of <see cref="Without"/> may appear anywhere. When the stack cannot be read, <see cref="Wchan"/>,
/// if given, is matched against the thread's wchan instead.
/// </summary>
public sealed record StackPattern(IReadOnlyList<string> Frames, string? Wchan, bool Anchored = false, IReadOnlyList<string>? Without = null)
{
    public bool Matches(IReadOnlyList<string> stack, string? wchan)
    {
        if (stack.Count == 0) return Wchan is not null && wchan is not null && FrameMatches(Wchan, wchan);
        // The frame the thread waits in: older kernels still show the scheduler or a lock's thunk above it.
        if (Anchored && !FrameMatches(Frames[0], stack[Detection.SleepFrames.Innermost(stack)])) return false;
        if (Without is not null)
            foreach (string frame in stack)
                foreach (string excluded in Without)
                    if (FrameMatches(excluded, frame)) return false;
        int at = 0;
        foreach (string pattern in Frames)
        {
            while (at < stack.Count && !FrameMatches(pattern, stack[at])) at++;
            if (at == stack.Count) return false;
            at++;
        }
        return true;
    }

    /// <summary>
    /// True when one alternative of <paramref name="pattern"/> matches the frame, or the function the frame is a
    /// compiler clone of: "nfs_init_server" matches "nfs_init_server.isra.0" (.isra, .constprop, .part, .cold).
    /// </summary>
    public static bool FrameMatches(string pattern, string frame)
    {
        int dot = frame.IndexOf('.');
        var bare = dot > 0 ? frame.AsSpan(0, dot) : default;
        foreach (var alternative in pattern.Split('|'))
            if (Glob(alternative, frame) || (dot > 0 && Glob(alternative, bare))) return true;
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
    /// <param name="nfsVersion">The thread's NFS version when known; an unknown version rules nothing out.</param>
    public StackPattern? Match(ObservedThread thread, string? nfsVersion, KernelVersion? kernel)
    {
        if (Scope == SignatureScope.Mount && thread.Kind != ThreadKind.MountCall) return null;
        if (Scope == SignatureScope.Blocked && thread.Kind == ThreadKind.MountCall) return null;
        if (NfsVersions is not null && nfsVersion is string v && !NfsVersions.Contains(v)) return null;
        if (Kernel is not null && kernel is not null && !Kernel.Contains(kernel)) return null;
        foreach (var pattern in Stacks) if (pattern.Matches(thread.Stack, thread.Wchan)) return pattern;
        return null;
    }
}
