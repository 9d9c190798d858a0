using NfsWatch.Core.Procfs;

namespace NfsWatch.Core.Report;

/// <summary>An established NFS mount with its RPC counters, and the NFS version and server its options name.</summary>
public sealed record NfsMountReport(NfsMountStats Mount, string? NfsVersion, string? Server);
