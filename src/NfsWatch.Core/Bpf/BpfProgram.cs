using System.Reflection;

namespace NfsWatch.Core.Bpf;

/// <summary>
/// The compiled BPF object (nfswatch.bpf.c built by clang -target bpf at build time), embedded in the binary as
/// libbpf-tools embed theirs: nothing to find on disk at run time. A build without clang or libbpf-dev has none,
/// and says so.
/// </summary>
internal static class BpfProgram
{
    private const string ResourceName = "NfsWatch.Core.nfswatch.bpf.o";

    /// <summary>The object's bytes, or null when this binary was built without it.</summary>
    public static byte[]? Load()
    {
        using var stream = typeof(BpfProgram).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null) return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static bool IsEmbedded => typeof(BpfProgram).Assembly.GetManifestResourceInfo(ResourceName) is not null;
}
