using NfsWatch.Core;
using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>
/// Who blocks whom among mounts stuck on NFS client initialisation. A waiter's stack shows it waiting for
/// another client to finish initialising (nfs_wait_client_init_complete); the kernel walks its client list
/// in creation order, so of several initialising clients the oldest is the one waited on. A thread whose
/// stack shows an initialising client is the blocker only when someone waits: alone, it holds no one up.
/// </summary>
public static class RoleAnalysis
{
    public static List<StuckThread> Assign(List<StuckThread> mounts)
    {
        var result = new List<StuckThread>(mounts);
        foreach (var group in mounts.Where(m => m.Signature is not null).GroupBy(m => m.Signature!.Id))
        {
            var waiters = group.Where(m => m.StackRole == "waiter").ToList();
            if (waiters.Count == 0) continue;
            var blocker = group.Where(m => m.StackRole == "blocker").MaxBy(m => m.StuckSeconds);
            if (blocker is not null)
            {
                string whom = string.Join(", ", waiters.Take(5).Select(w => $"pid {w.Pid} ({w.Comm})")) + (waiters.Count > 5 ? $" and {waiters.Count - 5} more" : "");
                Replace(result, blocker, blocker with
                {
                    Role = "blocker",
                    Triage = $"{Count(waiters.Count, "mount")} {(waiters.Count == 1 ? "waits" : "wait")} for this thread's NFS client initialisation: {whom}. " +
                             $"To release {(waiters.Count == 1 ? "it" : "them")}, end pid {blocker.Pid} ({blocker.Comm}): kill -9 {blocker.Pid}" +
                             (blocker.Server is null ? "" : $"; or fix server {blocker.Server}, which it has been waiting on for {Duration.Format(blocker.StuckSeconds)}") + ".",
                });
            }
            foreach (var waiter in waiters)
            {
                Replace(result, waiter, waiter with
                {
                    Role = "waiter",
                    Triage = blocker is null
                        ? "Waits for another mount's NFS client initialisation; the thread holding it was not found (it may be in a process NfsWatch cannot read)."
                        : $"Waits for the NFS client initialisation of pid {blocker.Pid} ({blocker.Comm}, thread {blocker.Tid})" +
                          (blocker.Server is null ? "" : $", which is mounting {blocker.Server}") +
                          $". Ending pid {blocker.Pid}" + (blocker.Server is null ? "" : $" or fixing {blocker.Server}") + " unblocks this mount.",
                });
            }
        }
        return result;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static void Replace(List<StuckThread> list, StuckThread old, StuckThread updated) => list[list.IndexOf(old)] = updated;
}
