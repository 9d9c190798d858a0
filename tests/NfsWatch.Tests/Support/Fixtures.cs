namespace NfsWatch.Tests.Support;

/// <summary>The fixture proc trees under testdata/proc (made by testdata/make-fixtures.sh).</summary>
public static class Fixtures
{
    /// <summary>The scenario's tree in the source checkout (not copied to the build output: it holds symlinks).</summary>
    public static string Proc(string scenario) => Path.Combine(SourceTestData, "proc", scenario);

    /// <summary>tests/NfsWatch.Tests/testdata in the source checkout.</summary>
    public static string SourceTestData { get; } = FindSourceTestData();

    private static string FindSourceTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "testdata");
            if (Directory.Exists(Path.Combine(candidate, "proc"))) return candidate;
        }
        throw new InvalidOperationException($"no testdata/proc above {AppContext.BaseDirectory}");
    }

    /// <summary>A private copy of a scenario for a test that changes it; deleted with the returned handle.</summary>
    public static TempTree CopyToTemp(string scenario)
    {
        var tree = new TempTree();
        CopyDirectory(Proc(scenario), tree.Path);
        return tree;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            string target = Path.Combine(to, Path.GetFileName(file));
            if (new FileInfo(file).LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else File.Copy(file, target);
        }
        foreach (string dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}

public sealed class TempTree : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nfswatch-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
