using System.Diagnostics;
using System.Security.Cryptography;

namespace NfsWatch.Tests.Live;

/// <summary>The C helpers in tests/hang (fusehang, fusewedge), built with gcc on first use.</summary>
internal static class HangBinary
{
    private static readonly Lock Building = new();

    /// <summary>Builds tests/hang/NAME.c; one build per version of the source and flags, reused by later runs.</summary>
    public static string Build(string name, params string[] flags)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "hang", name + ".c");
        // No temp dir is left behind per run: the cache dir is named by the hash of what was built.
        byte[] what = [.. File.ReadAllBytes(source), .. System.Text.Encoding.UTF8.GetBytes(string.Join('\0', flags))];
        string hash = Convert.ToHexString(SHA256.HashData(what))[..16];
        string dir = Path.Combine(Path.GetTempPath(), $"nfswatch-{name}-{hash}");
        string output = Path.Combine(dir, name);
        lock (Building)
        {
            if (File.Exists(output)) return output;
            Directory.CreateDirectory(dir);
            string building = output + $".{Environment.ProcessId}";
            using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O1", "-Wall", "-pthread", .. flags, "-o", building, source]) { RedirectStandardError = true })!;
            string err = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0) throw new InvalidOperationException($"cannot build {name}: {err}");
            File.Move(building, output, overwrite: true);
            return output;
        }
    }
}
