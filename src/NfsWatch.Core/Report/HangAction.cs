namespace NfsWatch.Core.Report;

/// <summary>A thread whose end releases others: what to end, and the command that ends it.</summary>
public sealed record ActionTarget(int Pid, int Tid, string Comm)
{
    public string Command => $"kill -9 {Pid}";
}

/// <summary>
/// What to do about a hang, decided once per chain of waits and shared by every thread in it: the thread
/// to end (when ending it releases others and SIGKILL can end it), what to fix (a server, a FUSE daemon),
/// the known problem's advice, and the whole of it as one sentence.
/// </summary>
public sealed record HangAction
{
    /// <summary>The thread to end, or null when ending one would release no one or cannot be done.</summary>
    public ActionTarget? End { get; init; }
    /// <summary>What to fix, in words: "server 10.0.0.5", "the FUSE server of /mnt/x", or null when unknown.</summary>
    public string? Fix { get; init; }
    /// <summary>The matched signature's remediation for the thread at the root of the chain, or null.</summary>
    public string? Advice { get; init; }
    /// <summary>How many hung threads this action releases, besides the one at the root.</summary>
    public int Releases { get; init; }
    /// <summary>The action as one sentence, for a person.</summary>
    public required string Summary { get; init; }
}
