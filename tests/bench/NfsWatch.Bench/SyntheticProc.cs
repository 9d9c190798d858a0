using System.Globalization;
using System.Text;

namespace NfsWatch.Bench;

/// <summary>
/// A proc tree of N threads with the shape of a busy container host, in the format of the running kernel's
/// files (stat, syscall; wchan, stack and sched for the threads in a call): PID 1, kernel threads (a tenth),
/// and user processes of 1 to 128 threads, asleep in futex(2) or, one in five, in read(2). One thread in a thousand (at least one)
/// is a mount.nfs4 in mount(2) on an NFS 4.1 server, so that the expensive path is part of every scan.
/// </summary>
internal static class SyntheticProc
{
    private static readonly int[] ThreadsPerProcess = [1, 1, 2, 4, 8, 16, 32, 64, 128];

    private const string HungStack =
        "[<0>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n[<0>] __rpc_execute+0x12e/0x460 [sunrpc]\n" +
        "[<0>] rpc_execute+0xb6/0xe0 [sunrpc]\n[<0>] rpc_run_task+0x15a/0x1b0 [sunrpc]\n" +
        "[<0>] nfs4_proc_exchange_id+0x3f/0x70 [nfsv4]\n[<0>] nfs41_discover_server_trunking+0x1c/0xa0 [nfsv4]\n" +
        "[<0>] nfs4_discover_server_trunking+0x76/0x250 [nfsv4]\n[<0>] nfs4_init_client+0x122/0x1e0 [nfsv4]\n" +
        "[<0>] nfs4_set_client+0x107/0x160 [nfsv4]\n[<0>] nfs4_create_server+0x139/0x3a0 [nfsv4]\n" +
        "[<0>] nfs4_try_get_tree+0x33/0xb0 [nfsv4]\n[<0>] vfs_get_tree+0x25/0xd0\n[<0>] path_mount+0x4bb/0xab0\n" +
        "[<0>] __x64_sys_mount+0x104/0x140\n[<0>] do_syscall_64+0x55/0xb0\n[<0>] entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n";

    private const string Sched =
        "mount.nfs4 (4242, #threads: 1)\n-------------------------------------------------------------------\n" +
        "se.exec_start                                :        930000.000000\nse.vruntime                                  :           475.437215\n" +
        "nr_switches                                  :                  110\n";

    private const string MountStats =
        "device rootfs mounted on / with fstype rootfs\ndevice proc mounted on /proc with fstype proc\n" +
        "device 10.0.0.2:/ mounted on /mnt/efs with fstype nfs4 statvers=1.1\n" +
        "\topts:\trw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.9,local_lock=none\n" +
        "\tage:\t4242\n\txprt:\ttcp 0 1 2 0 0 130 125 0 140 9 2 0 5\n\tper-op statistics\n" +
        "\t        NULL: 1 1 0 44 24 0 0 0 0\n\t     GETATTR: 20 26 3 4000 4800 1 30 40 0\n\t      LOOKUP: 10 11 1 2000 2400 0 20 25 1\n";

    public static void Write(string root, int threads)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(Path.Combine(root, "sys", "kernel"));
        foreach (string f in new[] { "osrelease", "version", "arch" })
            File.WriteAllText(Path.Combine(root, "sys", "kernel", f), File.Exists($"/proc/sys/kernel/{f}") ? File.ReadAllText($"/proc/sys/kernel/{f}") : "x86_64\n");
        File.WriteAllText(Path.Combine(root, "uptime"), "1000000.00 1500000.00\n");

        int pid = 1, written = 0, process = 0;
        // PID 1, with the host's mounts and one NFS 4.1 mount of an EFS-like server.
        WriteProcess(root, pid, 1, "systemd", kernel: false, ref written, threads);
        File.WriteAllText(Path.Combine(root, "1", "mountinfo"), File.ReadAllText("/proc/1/mountinfo") +
            "900 22 0:90 / /mnt/efs rw,relatime shared:400 - nfs4 10.0.0.2:/ rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.9,local_lock=none,addr=10.0.0.2\n");
        File.WriteAllText(Path.Combine(root, "1", "mountstats"), MountStats);
        Directory.CreateSymbolicLink(Path.Combine(root, "thread-self"), "1/task/1");
        Directory.CreateSymbolicLink(Path.Combine(root, "self"), "1");
        File.WriteAllText(Path.Combine(root, "1", "task", "1", "sched"), Sched);
        File.WriteAllText(Path.Combine(root, "1", "task", "1", "stack"), "");

        int kernelThreads = threads / 10;
        while (written < threads)
        {
            pid = written + 2; // every thread id is unique, like the kernel's
            bool kernel = written < kernelThreads + 1;
            // Kernel threads: their syscall file reads as zeros (system call 0, every register 0).
            int count = kernel ? 1 : Math.Min(ThreadsPerProcess[process++ % ThreadsPerProcess.Length], threads - written);
            WriteProcess(root, pid, count, kernel ? $"kworker/{pid % 2}:{pid % 7}" : $"app{process}", kernel, ref written, threads);
        }
    }

    private static void WriteProcess(string root, int pid, int count, string comm, bool kernel, ref int written, int total)
    {
        int candidateEvery = Math.Min(1000, total);
        for (int i = 0; i < count; i++)
        {
            int tid = pid + i;
            string dir = Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "task", tid.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            written++;
            bool hung = !kernel && written % candidateEvery == candidateEvery / 2;
            char state = kernel ? 'I' : hung ? 'D' : written % 50 == 0 ? 'R' : 'S';
            string name = hung ? "mount.nfs4" : comm;
            ulong flags = kernel ? 0x04208040UL : 0x00400100UL;
            File.WriteAllText(Path.Combine(dir, "stat"), string.Create(CultureInfo.InvariantCulture,
                $"{tid} ({name}) {state} 1 {pid} {pid} 0 -1 {flags} 1200 0 3 0 {written % 997} {written % 389} 0 0 20 0 {count} 0 {9000 + written % 5000} 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 {written % 2} 0 0 0 0 0 0 0 0 0 0 0 0 0\n"));
            File.WriteAllText(Path.Combine(dir, "syscall"), kernel ? "0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0\n" : state == 'R' ? "running\n"
                : hung ? "165 0x55d0c0a01000 0x55d0c0a02000 0x55d0c0a03000 0x0 0x55d0c0a04000 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n"
                : written % 5 == 0 ? "0 0x5 0x7f0c9c001000 0x1000 0x0 0x0 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n"
                : "202 0x7f0c9c000b80 0x80 0x0 0x0 0x0 0x0 0x7ffd8e1b2c18 0x7f0c9d51f9fa\n");
            if (!hung) continue;
            File.WriteAllText(Path.Combine(dir, "wchan"), "rpc_wait_bit_killable");
            File.WriteAllText(Path.Combine(dir, "stack"), HungStack);
            File.WriteAllText(Path.Combine(dir, "sched"), Sched);
        }
    }
}
