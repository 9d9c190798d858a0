// The cost of system calls, for the BPF probe's overhead: the benchmark runs this with and without the probe
// attached. getppid(2) stands for every unrelated call; mount(2) and umount2(2) of a path that does not exist
// fail at once (ENOENT), so they measure the probe's entry and exit programs, not a mount.
// Prints one JSON object: the best mean of ROUNDS batches of N calls each, in nanoseconds per call.
//
//   syscalls N ROUNDS
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

#define MEASURE(name, call)                                           \
    static double name(long n, int rounds)                            \
    {                                                                 \
        double best = 1e18;                                           \
        for (int r = 0; r < rounds; r++) {                            \
            double start = now_ns();                                  \
            for (long i = 0; i < n; i++) call;                        \
            double per = (now_ns() - start) / n;                      \
            if (per < best) best = per;                               \
        }                                                             \
        return best;                                                  \
    }

MEASURE(getppid_ns, syscall(SYS_getppid))
MEASURE(mount_ns, mount("none", "/nonexistent-nfswatch-bench/x", "tmpfs", 0, "size=1m"))
MEASURE(umount2_ns, umount2("/nonexistent-nfswatch-bench/x", 0))

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: syscalls N ROUNDS\n"); return 2; }
    long n = atol(argv[1]);
    int rounds = atoi(argv[2]);
    if (n <= 0 || rounds <= 0) return 2;
    printf("{\"getppid_ns\":%.1f,\"mount_ns\":%.1f,\"umount2_ns\":%.1f}\n", getppid_ns(n, rounds), mount_ns(n / 4, rounds), umount2_ns(n / 4, rounds));
    return 0;
}
