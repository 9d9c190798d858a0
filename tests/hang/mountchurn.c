/*
 * mountchurn: many short mount-family calls, for NfsWatch's live tests of the BPF probe's map. Each call fails at
 * once (its path does not exist, or its filesystem type is unknown), from several threads that then exit.
 * Touches nothing: every path is under a directory that does not exist.
 *
 *   mountchurn CALLS THREADS
 *
 * Prints "pid=PID calls=N" when every thread has made its calls and exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static long per_thread;

static void *churn(void *arg)
{
    (void)arg;
    for (long i = 0; i < per_thread; i++) {
        switch (i % 4) {
        case 0: mount("none", "/nonexistent-nfswatch-churn/x", "tmpfs", 0, "size=1m"); break;
        case 1: umount2("/nonexistent-nfswatch-churn/x", 0); break;
        case 2: { long fd = syscall(430 /* fsopen */, "nonexistent-nfswatch-fs", 0); if (fd >= 0) close((int)fd); break; }
        default: { long fd = syscall(428 /* open_tree */, AT_FDCWD, "/nonexistent-nfswatch-churn/x", 0); if (fd >= 0) close((int)fd); break; }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: mountchurn CALLS THREADS\n"); return 2; }
    long calls = atol(argv[1]);
    int threads = atoi(argv[2]);
    if (calls <= 0 || threads <= 0 || threads > 64) { fprintf(stderr, "mountchurn: bad arguments\n"); return 2; }
    per_thread = calls / threads;
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, churn, NULL) != 0) { perror("mountchurn: pthread_create"); return 1; }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("pid=%d calls=%ld\n", getpid(), per_thread * threads);
    return 0;
}
