// The floor for NfsWatch's scan: the least work a program can do to find the threads in a mount-family
// system call, reading the same proc files that NfsWatch reads and nothing more.
//
// Per scan: uptime, thread-self/sched, thread-self/stack and 1/mountstats once; getdents64 of the root and
// of every PID/task; the leader's PID/task/PID/stat (is the process exiting?); PID/task/TID/syscall for every
// thread; PID/task/TID/stat for every thread that is neither running nor in an idle wait of a 64-bit task
// (the same x86_64 list as MountSyscalls.IsIdleWait), or of an exiting process; wchan, stack and sched only for
// threads in a mount-family call or in uninterruptible sleep. Parsing is the minimum: the syscall number and
// stack pointer, the state after the last ')', the flags field. One reused buffer, no allocation.
//
//   floor PROCROOT SCANS WARMUP
// The system call numbers are x86_64's (the benchmark host).
// prints one line of JSON: threads, and the median wall and CPU (this thread) time of one scan in ns.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static char dents[16384];
static int pids[1 << 20];
static int tids[1 << 16];

static long read_file(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf + total, sizeof buf - total);
        if (n <= 0 || (size_t)(total += n) == sizeof buf) break;
    }
    close(fd);
    return total;
}

static int list_numeric(const char *path, int *into, int max) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, dents, sizeof dents);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(dents + off);
            const char *s = d->d_name;
            int v = 0, ok = *s != 0;
            for (; *s; s++) {
                if (*s < '0' || *s > '9') { ok = 0; break; }
                v = v * 10 + (*s - '0');
            }
            if (ok && count < max) into[count++] = v;
            off += d->d_reclen;
        }
    }
    close(fd);
    return count;
}

static int is_mount_call(long nr) {
    return nr == 165 || nr == 166 || (nr >= 428 && nr <= 433) || nr == 442; // x86_64
}

static int is_idle_wait(long nr) {
    switch (nr) {
    case 202: case 232: case 281: case 441: case 7: case 271: case 23: case 270: case 34: case 35: case 230: case 130:
    case 128: case 61: case 247: case 43: case 288: case 45: case 47: case 299: case 65: case 220: case 70: case 208: case 333:
        return 1;
    default:
        return 0;
    }
}

// The state and flags of the stat line in buf; 0 when it cannot be parsed.
static char parse_stat(unsigned long *flags) {
    char *p = strrchr(buf, ')');
    if (!p || p[1] == 0) return 0;
    // flags is the 6th field after the state: ppid pgrp session tty_nr tpgid flags
    char *f = p + 3;
    for (int k = 0; k < 5 && f; k++) f = strchr(f + 1, ' ');
    *flags = f ? strtoul(f + 1, NULL, 10) : 0;
    return p[2];
}

static long scan(const char *root) {
    char path[512];
    long threads = 0;
    snprintf(path, sizeof path, "%s/uptime", root); read_file(path);
    snprintf(path, sizeof path, "%s/thread-self/sched", root); read_file(path);
    int npids = list_numeric(root, pids, sizeof pids / sizeof *pids);
    for (int i = 0; i < npids; i++) {
        snprintf(path, sizeof path, "%s/%d/task", root, pids[i]);
        int ntids = list_numeric(path, tids, sizeof tids / sizeof *tids);
        snprintf(path, sizeof path, "%s/%d/task/%d/stat", root, pids[i], pids[i]);
        long n = read_file(path);
        unsigned long flags = 0;
        char leader = 0;
        if (n > 0) { buf[n] = 0; leader = parse_stat(&flags); }
        int exiting = leader == 0 || leader == 'Z' || leader == 'X' || leader == 'D' || (flags & 0x4);
        for (int j = 0; j < ntids; j++) {
            threads++;
            int base = snprintf(path, sizeof path, "%s/%d/task/%d/", root, pids[i], tids[j]);
            strcpy(path + base, "syscall");
            n = read_file(path);
            if (n <= 0) continue;
            buf[n] = 0;
            if (buf[0] == 'r') continue; // "running"
            char *end;
            long nr = strtol(buf, &end, 10);
            if (!exiting && is_idle_wait(nr)) {
                for (int k = 0; k < 6 && end; k++) end = strchr(end + 1, ' '); // six arguments, then sp
                if (end && strtoull(end + 1, NULL, 16) > 0xffffffffULL) continue;
            }
            char state = leader; // the leader's stat was read above
            unsigned long thread_flags = flags;
            if (tids[j] != pids[i]) {
                strcpy(path + base, "stat");
                n = read_file(path);
                if (n <= 0) continue;
                buf[n] = 0;
                state = parse_stat(&thread_flags);
            }
            if (state == 0 || state == 'Z' || state == 'X') continue;
            if (thread_flags & 0x00200000) nr = -1; // PF_KTHREAD: its syscall file reads as zeros
            if (is_mount_call(nr) || state == 'D') {
                strcpy(path + base, "wchan"); read_file(path);
                strcpy(path + base, "stack"); read_file(path);
                strcpy(path + base, "sched"); read_file(path);
            }
        }
    }
    snprintf(path, sizeof path, "%s/1/mountstats", root); read_file(path);
    snprintf(path, sizeof path, "%s/thread-self/stack", root); read_file(path);
    return threads;
}

static long long now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: floor PROCROOT SCANS WARMUP\n"); return 2; }
    const char *root = argv[1];
    int scans = atoi(argv[2]), warmup = atoi(argv[3]);
    if (scans < 1) { fprintf(stderr, "floor: SCANS must be at least 1\n"); return 2; }
    long threads = 0;
    for (int i = 0; i < warmup; i++) scan(root);
    long long *wall = calloc(scans, sizeof *wall), *cpu = calloc(scans, sizeof *cpu);
    for (int i = 0; i < scans; i++) {
        long long w = now(CLOCK_MONOTONIC), c = now(CLOCK_THREAD_CPUTIME_ID);
        threads = scan(root);
        cpu[i] = now(CLOCK_THREAD_CPUTIME_ID) - c;
        wall[i] = now(CLOCK_MONOTONIC) - w;
    }
    qsort(wall, scans, sizeof *wall, compare);
    qsort(cpu, scans, sizeof *cpu, compare);
    printf("{\"threads\":%ld,\"wall_ns\":%lld,\"cpu_ns\":%lld}\n", threads, wall[scans / 2], cpu[scans / 2]);
    return 0;
}
