/*
 * fusewedge: a process whose address space is genuinely wedged and which also
 * has a thread hung in mount(2) (section 1), for NfsWatch's live tests. Never run outside a test: it only
 * touches DIR, which it creates. While it lasts, reading the target's cmdline, environ or mem blocks - and so do
 * `ps`, `pgrep` and `top` anywhere on the host: keep it to seconds.
 *
 *   fusewedge DIR LIFETIME
 *     DIR       a fresh directory of the test's own:
 *               DIR/mnt    a FUSE mount with one regular file, DIR/mnt/file, whose READ requests are never answered
 *                          (INIT, LOOKUP, GETATTR, OPEN, FLUSH and RELEASE are; ENOSYS for the rest)
 *               DIR/hang   a second FUSE mount whose server never reads /dev/fuse ("noinit", like fusehang)
 *               DIR/target the bind target of the hung mount(2)
 *     LIFETIME  seconds; then the server detaches both mounts and exits, closing /dev/fuse, which aborts both
 *               connections: the READ fails, the wedge dissolves, and a crashed test leaves nothing behind
 *
 * The FUSE server is a forked child, so the target's address space is its own. In the target:
 *   thread M  mount(2)s DIR/hang/sub onto DIR/target: the lookup waits for a FUSE_INIT that never comes
 *             (state D, wchan fuse_get_req, killable)
 *   thread R  maps DIR/mnt/file and preads /proc/self/mem at the mapping: mem_rw -> __access_remote_vm ->
 *             get_user_pages_remote has no fault retry, so R holds the mmap_lock for read across the READ
 *             that is never answered (wchan request_wait_answer)
 *   thread W  then calls mmap() and queues for the lock in write mode (state D); every later reader of the
 *             address space - cmdline, environ, mem, smaps - queues behind W
 * Prints one line "server=PID target=PID mount_tid=TID reader_tid=TID writer_tid=TID mnt=PATH hang=PATH" once
 * the wedge is formed. After the connections are aborted every thread returns, and the target waits for a
 * signal (the test kills it; SIGALRM at LIFETIME + 5 s otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FILE_INO 2
#define FILE_SIZE 4096

static char mnt[4096], hang_mnt[4096], file[4200], sub[4200], target[4200];
static int read_seen[2]; /* server -> target: one byte per READ received */
static int go[2];        /* target main -> thread W: take the write lock now */
static int memfd;
static void *mapped;
static volatile pid_t tid_m, tid_r, tid_w;
static pid_t server;

/* ---- the server (forked child) ---- */

static void on_end(int sig)
{
    (void)sig;
    umount2(mnt, MNT_DETACH);
    umount2(hang_mnt, MNT_DETACH);
    _exit(0);
}

static void reply(int fd, uint64_t unique, int error, const void *body, size_t size)
{
    char buf[sizeof(struct fuse_out_header) + 256];
    struct fuse_out_header *h = (struct fuse_out_header *)buf;
    h->len = sizeof *h + size;
    h->error = error;
    h->unique = unique;
    if (size) memcpy(buf + sizeof *h, body, size);
    if (write(fd, buf, h->len) < 0 && errno != ENOENT) perror("fusewedge: reply");
}

static void attr_of(uint64_t ino, struct fuse_attr *a)
{
    memset(a, 0, sizeof *a);
    a->ino = ino;
    a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
    a->mode = ino == FUSE_ROOT_ID ? (S_IFDIR | 0755) : (S_IFREG | 0444);
    a->size = ino == FUSE_ROOT_ID ? 0 : FILE_SIZE;
    a->blocks = a->size / 512;
    a->blksize = 4096;
}

static void serve(int fd, int lifetime)
{
    signal(SIGALRM, on_end);
    signal(SIGTERM, on_end);
    alarm(lifetime);
    static char buf[1 << 20];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENODEV) on_end(0); /* aborted through fusectl */
        if (n < (ssize_t)sizeof(struct fuse_in_header)) continue;
        struct fuse_in_header *in = (struct fuse_in_header *)buf;
        void *arg = buf + sizeof *in;
        switch (in->opcode) {
        case FUSE_INIT: {
            struct fuse_init_in *init = arg;
            struct fuse_init_out out;
            memset(&out, 0, sizeof out);
            out.major = FUSE_KERNEL_VERSION;
            out.minor = FUSE_KERNEL_MINOR_VERSION;
            out.max_readahead = init->max_readahead;
            out.max_write = 4096;
            reply(fd, in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_LOOKUP: {
            if (in->nodeid != FUSE_ROOT_ID || strcmp((char *)arg, "file") != 0) {
                reply(fd, in->unique, -ENOENT, NULL, 0);
                break;
            }
            struct fuse_entry_out out;
            memset(&out, 0, sizeof out);
            out.nodeid = FILE_INO;
            out.generation = 1;
            out.entry_valid = out.attr_valid = 3600;
            attr_of(FILE_INO, &out.attr);
            reply(fd, in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_GETATTR: {
            struct fuse_attr_out out;
            memset(&out, 0, sizeof out);
            out.attr_valid = 3600;
            attr_of(in->nodeid, &out.attr);
            reply(fd, in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_OPEN: {
            struct fuse_open_out out;
            memset(&out, 0, sizeof out);
            out.fh = 1;
            reply(fd, in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_FLUSH:
        case FUSE_RELEASE:
            reply(fd, in->unique, 0, NULL, 0);
            break;
        case FUSE_READ:
            /* Never answered: the reader holds its mmap_lock until the connection is aborted. */
            if (write(read_seen[1], "R", 1) < 0) perror("fusewedge: notify");
            break;
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
        case FUSE_INTERRUPT:
            break; /* no reply expected */
        default:
            reply(fd, in->unique, -ENOSYS, NULL, 0);
        }
    }
}

/* ---- the target ---- */

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void *mount_thread(void *arg)
{
    (void)arg;
    tid_m = gettid_();
    /* The lookup of hang/sub waits for a FUSE_INIT the server never reads: mount(2) blocks. */
    if (mount(sub, target, NULL, MS_BIND, NULL) < 0 && errno != ENOTCONN)
        fprintf(stderr, "fusewedge: mount returned: %s\n", strerror(errno));
    return NULL;
}

static void *reader_thread(void *arg)
{
    (void)arg;
    tid_r = gettid_();
    char c;
    /* /proc/self/mem faults the page in through get_user_pages_remote with mmap_lock held for read. */
    if (pread(memfd, &c, 1, (off_t)(uintptr_t)mapped) < 0 && errno != EIO && errno != ENOTCONN)
        fprintf(stderr, "fusewedge: pread returned: %s\n", strerror(errno));
    return NULL;
}

static void *writer_thread(void *arg)
{
    (void)arg;
    tid_w = gettid_();
    char c;
    while (read(go[0], &c, 1) < 0 && errno == EINTR) {}
    void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* queues for the write lock */
    if (p == MAP_FAILED) perror("fusewedge: mmap");
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* Reads a small proc file of one of our threads; none of these take the mmap_lock on 6.18 (fs/proc/base.c). */
static int read_task_file(pid_t tid, const char *name, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)tid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) return -1;
    out[n] = 0;
    return 0;
}

static int task_state(pid_t tid)
{
    char buf[512];
    if (read_task_file(tid, "stat", buf, sizeof buf) < 0) return '?';
    char *p = strrchr(buf, ')');
    return p && p[1] && p[2] ? p[2] : '?';
}

static int wait_for(pid_t tid, const char *wchan, int state, int timeout_ms)
{
    char buf[128];
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        if (wchan && read_task_file(tid, "wchan", buf, sizeof buf) == 0 && strcmp(buf, wchan) == 0) return 0;
        if (state && task_state(tid) == state) return 0;
        sleep_ms(10);
    }
    return -1;
}

static int fuse_mount(const char *where, const char *name)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) { perror("fusewedge: /dev/fuse"); exit(1); }
    char data[256], type[64];
    snprintf(data, sizeof data, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
    snprintf(type, sizeof type, "fuse.%s", name);
    if (mount(name, where, type, MS_NOSUID | MS_NODEV, data) < 0) { perror("fusewedge: mount fuse"); exit(1); }
    return fd;
}

static void fail(const char *what)
{
    fprintf(stderr, "fusewedge: %s\n", what);
    /* Ending the server aborts both connections, so whatever did block returns. */
    if (server > 0) kill(server, SIGTERM);
    _exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fusewedge DIR LIFETIME_SECONDS\n");
        return 2;
    }
    int lifetime = atoi(argv[2]);
    if (lifetime <= 0 || lifetime > 120) lifetime = 20;
    snprintf(mnt, sizeof mnt, "%s/mnt", argv[1]);
    snprintf(hang_mnt, sizeof hang_mnt, "%s/hang", argv[1]);
    snprintf(file, sizeof file, "%s/file", mnt);
    snprintf(sub, sizeof sub, "%s/sub", hang_mnt);
    snprintf(target, sizeof target, "%s/target", argv[1]);
    mkdir(mnt, 0755);
    mkdir(hang_mnt, 0755);
    mkdir(target, 0755);
    if (pipe2(read_seen, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) fail("pipe");

    int served = fuse_mount(mnt, "fusewedge");
    int never = fuse_mount(hang_mnt, "fusewedge-hang");
    server = fork();
    if (server < 0) fail("fork");
    if (server == 0) {
        prctl(PR_SET_NAME, "fusewedge-srv");
        close(read_seen[0]);
        close(go[0]);
        close(go[1]);
        (void)never; /* held, never read: closing it at exit aborts that connection */
        serve(served, lifetime);
        _exit(0);
    }
    /* Only the server may hold /dev/fuse: its exit must abort both connections. */
    close(served);
    close(never);
    close(read_seen[1]);
    /* A fatal SIGALRM ends the target a little after the server in every case. */
    alarm(lifetime + 5);

    int filefd = open(file, O_RDONLY | O_CLOEXEC);
    if (filefd < 0) fail("cannot open DIR/mnt/file");
    mapped = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, filefd, 0);
    if (mapped == MAP_FAILED) fail("cannot map DIR/mnt/file");
    memfd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    if (memfd < 0) fail("cannot open /proc/self/mem");

    /* Every thread exists, and has touched its stack, before the wedge: after it, creating a thread or
     * faulting in a fresh anonymous page would queue behind W too. Built with -z now for the same reason. */
    pthread_t m, r, w;
    if (pthread_create(&m, NULL, mount_thread, NULL) != 0) fail("pthread_create");
    if (pthread_create(&w, NULL, writer_thread, NULL) != 0) fail("pthread_create");
    while (!tid_m || !tid_w) sleep_ms(1);
    if (wait_for(tid_m, "fuse_get_req", 0, 5000) < 0) fail("the mount thread never blocked in fuse_get_req");

    if (pthread_create(&r, NULL, reader_thread, NULL) != 0) fail("pthread_create");
    struct pollfd pfd = { read_seen[0], POLLIN, 0 };
    if (poll(&pfd, 1, 5000) != 1) fail("no READ reached the server");
    while (!tid_r) sleep_ms(1);
    if (wait_for(tid_r, "request_wait_answer", 0, 5000) < 0) fail("the reader never waited in request_wait_answer");

    char line[9000];
    int len = snprintf(line, sizeof line, "server=%d target=%d mount_tid=%d reader_tid=%d writer_tid=%d mnt=%s hang=%s\n",
                       (int)server, (int)getpid(), (int)tid_m, (int)tid_r, (int)tid_w, mnt, hang_mnt);
    if (write(go[1], "W", 1) != 1) fail("go");
    if (wait_for(tid_w, NULL, 'D', 5000) < 0) fail("the writer never queued for the mmap_lock");
    if (write(STDOUT_FILENO, line, len) != len) fail("cannot print the ready line");

    /* Every thread returns once the connections are aborted; then wait for the test's SIGKILL. */
    pthread_join(m, NULL);
    pthread_join(r, NULL);
    pthread_join(w, NULL);
    for (;;) pause();
}
