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
        var indexed = mounts.Select((m, i) => (Thread: m, Index: i)).Where(x => x.Thread.Signature is not null);
        foreach (var group in indexed.GroupBy(x => x.Thread.Signature!.Id))
        {
            var waiters = group.Where(x => x.Thread.StackRole == "waiter").ToList();
            if (waiters.Count == 0) continue;
            var blockerEntry = group.Where(x => x.Thread.StackRole == "blocker").OrderByDescending(x => x.Thread.StuckSeconds)
                .Select(x => ((StuckThread Thread, int Index)?)x).FirstOrDefault();
            var blocker = blockerEntry?.Thread;
            if (blocker is not null)
            {
                string whom = string.Join(", ", waiters.Take(5).Select(w => $"pid {w.Thread.Pid} ({w.Thread.Comm})")) + (waiters.Count > 5 ? $" and {waiters.Count - 5} more" : "");
                result[blockerEntry!.Value.Index] = blocker with
                {
                    Role = "blocker",
                    Triage = $"{Count(waiters.Count, "mount")} {(waiters.Count == 1 ? "waits" : "wait")} for this thread's NFS client initialisation: {whom}. " +
                             $"To release {(waiters.Count == 1 ? "it" : "them")}, end pid {blocker.Pid} ({blocker.Comm}): kill -9 {blocker.Pid}" +
                             (blocker.Server is null ? "" : $"; or fix server {blocker.Server}, which it has been waiting on for {Duration.Format(blocker.StuckSeconds)}") + ".",
                };
            }
            foreach (var (waiter, index) in waiters)
            {
                result[index] = waiter with
                {
                    Role = "waiter",
                    Triage = blocker is null
                        ? "Waits for another mount's NFS client initialisation; the thread holding it was not found (it may be in a process NfsWatch cannot read)."
                        : $"Waits for the NFS client initialisation of pid {blocker.Pid} ({blocker.Comm}, thread {blocker.Tid})" +
                          (blocker.Server is null ? "" : $", which is mounting {blocker.Server}") +
                          $". Ending pid {blocker.Pid}" + (blocker.Server is null ? "" : $" or fixing {blocker.Server}") + " unblocks this mount.",
                };
            }
        }
        return result;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

}
