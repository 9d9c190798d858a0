namespace NfsWatch.Tests.Support;

/// <summary>The fixture proc trees under testdata/proc (made by testdata/make-fixtures.sh).</summary>
public static class Fixtures
{
    public static string Proc(string scenario) => Path.Combine(AppContext.BaseDirectory, "testdata", "proc", scenario);

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
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
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
