using NfsWatch.Core.Bpf;
using NfsWatch.Core.Procfs;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Detection;

/// <summary>
/// What the BPF probe checks before it loads, where getting it wrong would give wrong answers rather than none: the
/// layout of the system call tracepoints' records, and the pid namespace the daemon runs in.
/// </summary>
public class BpfPreconditionTests
{
    private const string Common = """
        name: sys_enter_mount
        ID: 940
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        """;

    [Fact]
    public void TheLayoutOfMainlineKernelsIsAccepted()
    {
        // As Debian's 6.1 and this machine's 6.18 write it.
        Assert.Null(Layout(Common + """
            	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
            	field:char * dev_name;	offset:16;	size:8;	signed:0;
            	field:char * dir_name;	offset:24;	size:8;	signed:0;
            """));
        // Before the number became an int it was a long at the same place.
        Assert.Null(Layout(Common + """
            	field:long __syscall_nr;	offset:8;	size:8;	signed:1;
            	field:char * dev_name;	offset:16;	size:8;	signed:0;
            """));
    }

    [Theory]
    [InlineData(12, 16, "int")]  // a lazy-preemption count in the common fields, the number an int
    [InlineData(16, 24, "long")] // the same with the number a long: every argument 8 bytes further
    public void ALayoutTheProgramWouldMisreadIsRefusedWithWhereTheFieldsAre(int nr, int first, string type)
    {
        string problem = Assert.IsType<string>(Layout(Common.Replace("\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;",
            "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\tfield:unsigned char common_preempt_lazy_count;\toffset:8;\tsize:1;\tsigned:0;") + $"""
            	field:{type} __syscall_nr;	offset:{nr};	size:4;	signed:1;
            	field:char * dev_name;	offset:{first};	size:8;	signed:0;
            """));
        Assert.Contains($"number at {nr}, arguments from {first}; the probe reads 8 and 16", problem);
    }

    [Fact]
    public void AnUnreadableFormatIsAReasonNotACrash() =>
        Assert.StartsWith("cannot read /nonexistent/format", BpfProbe.LayoutProblem("/nonexistent/format"));

    [Fact]
    public void APidNamespaceOfItsOwnIsRefused()
    {
        using var tree = new TempTree();
        Directory.CreateDirectory(Path.Combine(tree.Path, "self", "ns"));
        File.CreateSymbolicLink(Path.Combine(tree.Path, "self", "ns", "pid"), "pid:[4026532771]");
        Assert.Equal("the daemon runs in a pid namespace of its own (pid:[4026532771]): the probe sees the host's pids",
            BpfProbe.PidNamespaceProblem(new ProcFs(tree.Path)));

        File.Delete(Path.Combine(tree.Path, "self", "ns", "pid"));
        File.CreateSymbolicLink(Path.Combine(tree.Path, "self", "ns", "pid"), "pid:[4026531836]");
        Assert.Null(BpfProbe.PidNamespaceProblem(new ProcFs(tree.Path)));
    }

    private static string? Layout(string format)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, format);
            return BpfProbe.LayoutProblem(path);
        }
        finally { File.Delete(path); }
    }
}
