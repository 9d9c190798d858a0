namespace NfsWatch.Core.Isolation;

/// <summary>How to start this program again as a child: the native binary, or `dotnet nfswatch.dll`.</summary>
public sealed record SelfCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public static SelfCommand Current()
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's path");
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            string dll = Environment.GetCommandLineArgs()[0];
            return new SelfCommand(exe, [dll]);
        }
        return new SelfCommand(exe, []);
    }
}
