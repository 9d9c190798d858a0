// Real threads for the live benchmark: N threads with small stacks, spread over processes of PER threads
// each, all asleep in the kernel, so that /proc on the running host has N more threads to scan. Like the
// threads of a real host, most sleep in an idle wait (pause(2) here; futex or epoll_wait in most programs)
// and one in five in read(2), on a pipe that nobody writes to.
// Prints "ready" once every thread exists, then lives LIFETIME seconds at most (a crashed benchmark leaves
// nothing behind for long); SIGTERM ends it sooner. Children die with their parent (PR_SET_PDEATHSIG).
//
//   threads N PER LIFETIME
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int pipefd[2];

static void *sleeper(void *arg) {
    char c;
    if ((long)arg % 5 == 0)
        for (;;) (void)!read(pipefd[0], &c, 1);
    for (;;) pause();
    return NULL;
}

static int spawn(int count) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < count; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, sleeper, (void *)(long)i) != 0) { perror("threads: pthread_create"); return -1; }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: threads N PER LIFETIME\n"); return 2; }
    int n = atoi(argv[1]), per = atoi(argv[2]), lifetime = atoi(argv[3]);
    if (n < 0 || per < 1 || lifetime < 1) { fprintf(stderr, "threads: bad arguments\n"); return 2; }
    int ready[2];
    if (pipe(ready) != 0 || pipe(pipefd) != 0) return 1;
    int children = 0;
    pid_t parent = getpid();
    pid_t *pids = calloc(n / per + 1, sizeof *pids);
    if (!pids) return 1;
    // Each process holds PER threads, its main thread among them.
    for (int left = n; left > 0; left -= per) {
        int count = left < per ? left : per;
        pid_t pid = fork();
        if (pid < 0) { perror("threads: fork"); return 1; }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(1); // the parent died before the line above
            close(ready[0]);
            if (spawn(count - 1) != 0) _exit(1);
            if (write(ready[1], "x", 1) != 1) _exit(1);
            close(ready[1]);
            for (;;) pause();
        }
        pids[children++] = pid;
    }
    close(ready[1]);
    char c;
    for (int i = 0; i < children; i++)
        if (read(ready[0], &c, 1) != 1) {
            fprintf(stderr, "threads: a child failed to start its threads\n");
            for (int j = 0; j < children; j++) kill(pids[j], SIGKILL); // its own children, by number
            return 1;
        }
    printf("ready %d processes\n", children);
    fflush(stdout);
    alarm(lifetime);
    signal(SIGALRM, SIG_DFL);
    pause(); // SIGTERM or SIGALRM ends this process, and PDEATHSIG its children
    return 0;
}
