/*
 * fusehang: makes a genuinely hung mount(2) on the running kernel, for NfsWatch's live tests
 * Never run outside a test: it only touches DIR, which it creates.
 *
 *   fusehang DIR MODE THREAD LIFETIME [CALL]
 *     DIR       a fresh directory of the test's own; DIR/mnt becomes a FUSE mount, DIR/target the bind target
 *     MODE      noinit: the server never reads /dev/fuse, waiters sit in fuse_get_req (state D, killable)
 *               init:   the server answers FUSE_INIT only, waiters sit in request_wait_answer (state S)
 *     THREAD    main: the process's only thread calls mount(2); second: a second thread calls it;
 *               many:N: N threads (at most 1000) call it, one line printed for each
 *     LIFETIME  seconds; then the server detaches the mount and exits, closing /dev/fuse, which aborts the
 *               connection so that every waiter returns ENOTCONN - a crashed test leaves nothing hung
 *     CALL      the call that hangs, each on a path through DIR/mnt (default bind):
 *               bind:      mount(2) of DIR/mnt/sub onto DIR/target (MS_BIND)
 *               cifs:      mount(2) of //127.0.0.9/share, type cifs, options with a password, onto DIR/mnt/sub/x
 *               umount2:   umount2(DIR/mnt/sub/x)
 *               open_tree: open_tree(DIR/mnt/sub, OPEN_TREE_CLONE)
 *               fsconfig:  fsopen("ext4"), fsconfig SET_STRING source DIR/mnt/sub/disk, then FSCONFIG_CMD_CREATE,
 *                          which looks the source up (get_tree_bdev)
 *
 * Prints one line "server=PID hanger=PID tid=TID mnt=PATH" once the hanging call is about to be made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char mnt[4096], sub[4200], target[4200], under[4300];
static int server_pid;
static const char *call = "bind";

static void on_alarm(int sig)
{
    (void)sig;
    umount2(mnt, MNT_DETACH);
    _exit(0);
}

static void serve(int fd, int answer_init, int lifetime)
{
    signal(SIGALRM, on_alarm);
    signal(SIGTERM, on_alarm);
    alarm(lifetime);
    if (!answer_init)
        for (;;) pause();
    static char buf[1 << 20];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < (ssize_t)sizeof(struct fuse_in_header)) {
            if (n < 0 && errno == ENODEV) _exit(0); /* aborted */
            continue;
        }
        struct fuse_in_header *in = (struct fuse_in_header *)buf;
        if (in->opcode != FUSE_INIT) continue; /* swallow every other request: never answered */
        struct { struct fuse_out_header h; struct fuse_init_out init; } out;
        memset(&out, 0, sizeof out);
        out.h.len = sizeof out;
        out.h.unique = in->unique;
        out.init.major = FUSE_KERNEL_VERSION;
        out.init.minor = FUSE_KERNEL_MINOR_VERSION;
        out.init.max_write = 4096;
        if (write(fd, &out, sizeof out) < 0) perror("fusehang: init reply");
    }
}

static void *hang(void *arg)
{
    (void)arg;
    printf("server=%d hanger=%d tid=%ld mnt=%s\n", server_pid, getpid(), (long)syscall(SYS_gettid), mnt);
    fflush(stdout);
    /* The lookup of mnt/sub goes to the FUSE server, which never answers: the call blocks. */
    long r;
    if (strcmp(call, "cifs") == 0)
        r = mount("//127.0.0.9/share", under, "cifs", 0, "username=nfswatch,password=hunter2,vers=3.0");
    else if (strcmp(call, "umount2") == 0)
        r = umount2(under, 0);
    else if (strcmp(call, "open_tree") == 0)
        r = syscall(428 /* open_tree */, AT_FDCWD, sub, 1 /* OPEN_TREE_CLONE */);
    else if (strcmp(call, "fsconfig") == 0) {
        int fd = (int)syscall(430 /* fsopen */, "ext4", 0);
        if (fd < 0) { fprintf(stderr, "fusehang: fsopen: %s\n", strerror(errno)); return NULL; }
        if (syscall(431 /* fsconfig */, fd, 1 /* FSCONFIG_SET_STRING */, "source", under, 0) < 0)
            fprintf(stderr, "fusehang: fsconfig source: %s\n", strerror(errno));
        r = syscall(431, fd, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0);
    } else
        r = mount(sub, target, NULL, MS_BIND, NULL);
    if (r < 0)
        fprintf(stderr, "fusehang: %s returned: %s\n", call, strerror(errno));
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: fusehang DIR noinit|init main|second|many:N LIFETIME_SECONDS [bind|cifs|umount2|open_tree|fsconfig]\n");
        return 2;
    }
    if (argc == 6) call = argv[5];
    int answer_init = strcmp(argv[2], "init") == 0;
    int second = strcmp(argv[3], "second") == 0;
    int many = strncmp(argv[3], "many:", 5) == 0 ? atoi(argv[3] + 5) : 0;
    if (many > 1000) many = 1000;
    int lifetime = atoi(argv[4]);
    if (lifetime <= 0 || lifetime > 600) lifetime = 60;
    snprintf(mnt, sizeof mnt, "%s/mnt", argv[1]);
    snprintf(sub, sizeof sub, "%s/sub", mnt);
    snprintf(target, sizeof target, "%s/target", argv[1]);
    snprintf(under, sizeof under, "%s/x", sub);
    mkdir(mnt, 0755);
    mkdir(target, 0755);

    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) { perror("fusehang: /dev/fuse"); return 1; }
    char data[256];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
    if (mount("fusehang", mnt, "fuse.fusehang", MS_NOSUID | MS_NODEV, data) < 0) {
        perror("fusehang: mount fuse");
        return 1;
    }
    server_pid = fork();
    if (server_pid < 0) { perror("fusehang: fork"); return 1; }
    if (server_pid == 0) {
        prctl(PR_SET_NAME, "fusehang-srv");
        serve(fd, answer_init, lifetime);
        _exit(0);
    }
    close(fd);
    /* The hanger ends a little after the server in every case; SIGALRM is fatal, so a killable wait returns. */
    alarm(lifetime + 5);
    if (many > 0) {
        pthread_t *threads = calloc((size_t)many, sizeof *threads);
        if (!threads) { perror("fusehang: calloc"); return 1; }
        for (int i = 0; i < many; i++)
            if (pthread_create(&threads[i], NULL, hang, NULL) != 0) { perror("fusehang: pthread_create"); return 1; }
        for (int i = 0; i < many; i++) pthread_join(threads[i], NULL);
        return 0;
    }
    if (!second) {
        hang(NULL);
        return 0;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, hang, NULL) != 0) { perror("fusehang: pthread_create"); return 1; }
    pthread_join(t, NULL);
    return 0;
}
