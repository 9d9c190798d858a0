namespace NfsWatch.Core.Detection;

/// <summary>
/// Whether a blocked thread waits in NFS client or SUNRPC code: by the module a stack frame belongs to
/// ("[nfs]", "[nfsv4]", "[sunrpc]", "[lockd]" - printed by current kernels for modular builds), by function
/// name for kernels with NFS built in, and by wchan alone when the stack cannot be read.
/// </summary>
public static class NfsCode
{
    private static readonly byte[][] Modules = [.. new[] {"[nfs]", "[nfsv3]", "[nfsv4]", "[sunrpc]", "[lockd]", "[nfs_acl]", "[auth_rpcgss]", "[rpcsec_gss_krb5]", "[nfs_layout_nfsv41_files]", "[nfs_layout_flexfiles]"}.Select(System.Text.Encoding.ASCII.GetBytes)];
    private static readonly string[] Prefixes = ["nfs_", "nfs3_", "nfs4_", "nfs41_", "nfs40_", "_nfs4_", "__nfs", "rpc_", "__rpc_", "xprt_", "nlmclnt_", "lockd"];

    public static bool InStack(ReadOnlySpan<byte> rawStack, IReadOnlyList<string> frames)
    {
        foreach (byte[] module in Modules)
            if (rawStack.IndexOf(module) >= 0) return true;
        foreach (string frame in frames)
            if (IsNfsFunction(frame)) return true;
        return false;
    }

    public static bool IsNfsFunction(string? function) =>
        function is not null && Prefixes.Any(p => function.StartsWith(p, StringComparison.Ordinal));
}
