using System.Runtime.InteropServices;

namespace NfsWatch.Core.Bpf;

/// <summary>struct nfswatch_mount_call of nfswatch.bpf.h, field for field (1112 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MountCallRecord
{
    public const int Strings = 4, StringBytes = 256;

    public uint Tid;
    public uint Pid;
    public ulong StartNs;
    public int Nr;
    public uint Pad;
    public fixed ulong Args[6];
    public fixed short Len[Strings];
    public fixed byte Arg[Strings];
    public uint Pad2;
    public fixed byte Str[Strings * StringBytes];
}

/// <summary>struct nfswatch_task of nfswatch.bpf.h (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TaskRecord
{
    public const uint End = 0xffff;

    public uint Tid;
    public uint Pid;
    public uint State;
    public uint Flags;
    public int Nr;
    public uint Why;
}

/// <summary>The values of nfswatch.bpf.h's interest map and counters.</summary>
internal static class BpfConstants
{
    public const int NrMax = 512;
    public const uint CallFd = 1, CallPath = 2, CallMount = 3;
    public const uint CountEntered = 0, CountMapFull = 1;
}
