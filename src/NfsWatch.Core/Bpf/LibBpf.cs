using System.Runtime.InteropServices;

namespace NfsWatch.Core.Bpf;

/// <summary>
/// The part of libbpf (Debian's libbpf1, 1.1) that loads and reads NfsWatch's BPF program: blittable arguments
/// only, so that Native AOT marshals nothing. libbpf 1.x returns NULL and sets errno for a failed pointer, and
/// a negative errno for a failed int (libbpf.h, "libbpf 1.0 mode"). The library is opened at run time: a host
/// without it keeps the procfs path.
/// </summary>
internal static unsafe partial class LibBpf
{
    public const string Library = "libbpf.so.1";

    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(delegate* unmanaged<int, byte*, nint, int> print);

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(byte* buffer, nuint size, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_program")]
    public static partial nint NextProgram(nint obj, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name")]
    public static partial nint FindProgram(nint obj, byte* name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name")]
    public static partial nint FindMap(nint obj, byte* name);

    [LibraryImport(Library, EntryPoint = "bpf_program__name")]
    public static partial byte* ProgramName(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_autoload")]
    public static partial int ProgramSetAutoload(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Library, EntryPoint = "bpf_link__fd")]
    public static partial int LinkFd(nint link);

    [LibraryImport(Library, EntryPoint = "bpf_iter_create", SetLastError = true)]
    public static partial int IterCreate(int linkFd);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Library, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    public static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    public static partial int MapLookup(int fd, void* key, void* value);

    [LibraryImport(Library, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    public static partial int MapUpdate(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    public static partial int MapDelete(int fd, void* key);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int NumPossibleCpus();

    /// <summary>libbpf's messages go through vsnprintf: its print callback gets the caller's va_list, which on
    /// x86_64 and arm64 arrives as one pointer and is passed on as one (the SysV and AAPCS64 ABIs).</summary>
    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    public static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
