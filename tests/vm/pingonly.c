/*
 * pingonly: an "NFS server" that answers RPC NULL calls (procedure 0) and swallows every other call, for
 * NfsWatch's VM tier (tests/vm). A NFSv4.1 mount against it passes
 * rpc_create, gets its client listed as initialising, and waits forever for EXCHANGE_ID (SETCLIENTID for
 * 4.0); every later NFS mount on the host then waits behind it in nfs_wait_client_init_complete
 * (head-of-line blocking). Run it only inside the test VM.
 *
 *   pingonly ADDR [PORT [LIFETIME]]   PORT defaults to 2049, LIFETIME to 300 seconds
 *
 * The reply to a NULL call is the accepted-success reply of RFC 5531 with an AUTH_NONE verifier, behind a
 * last-fragment record mark: 0x80000018, xid, 1 (REPLY), 0 (MSG_ACCEPTED), 0, 0 (verifier), 0 (SUCCESS).
 * Logs each call on stderr and exits by itself after LIFETIME seconds (SIGALRM).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 64
#define MAX_RECORD (1 << 20)

struct conn {
    uint8_t *buf; /* the record being assembled: record mark + fragment */
    size_t have;
};

static struct conn conns[MAX_FDS];

/* Handles every complete record in c; returns -1 when the connection must be closed. */
static int handle(int fd, struct conn *c)
{
    for (;;) {
        if (c->have < 4) return 0;
        uint32_t mark = ntohl(*(uint32_t *)c->buf);
        size_t len = mark & 0x7fffffff;
        if (len > MAX_RECORD - 4) return -1;
        if (c->have < 4 + len) return 0;
        uint32_t w[6] = { 0 };
        memcpy(w, c->buf + 4, len < sizeof w ? len : sizeof w);
        uint32_t xid = w[0], type = ntohl(w[1]), prog = ntohl(w[3]), vers = ntohl(w[4]), proc = ntohl(w[5]);
        if (len >= sizeof w && type == 0 && proc == 0) {
            uint32_t reply[7] = { htonl(0x80000018), xid, htonl(1), 0, 0, 0, 0 };
            if (write(fd, reply, sizeof reply) != sizeof reply) return -1;
            fprintf(stderr, "pingonly: NULL call prog=%u vers=%u answered\n", prog, vers);
        } else {
            fprintf(stderr, "pingonly: call prog=%u vers=%u proc=%u swallowed\n", prog, vers, proc);
        }
        memmove(c->buf, c->buf + 4 + len, c->have - 4 - len);
        c->have -= 4 + len;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: pingonly ADDR [PORT [LIFETIME_SECONDS]]\n");
        return 2;
    }
    int port = argc > 2 ? atoi(argv[2]) : 2049;
    int lifetime = argc > 3 ? atoi(argv[3]) : 300;
    if (lifetime <= 0 || lifetime > 3600) lifetime = 300;
    alarm(lifetime); /* default action of SIGALRM: terminate */
    setvbuf(stderr, NULL, _IOLBF, 0);

    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) { fprintf(stderr, "pingonly: bad address %s\n", argv[1]); return 2; }
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0) { perror("pingonly: bind/listen"); return 1; }
    printf("pingonly: listening on %s:%d for %d s\n", argv[1], port, lifetime);
    fflush(stdout);

    struct pollfd fds[MAX_FDS] = { { .fd = l, .events = POLLIN } };
    int n = 1;
    for (;;) {
        if (poll(fds, n, -1) < 0) { if (errno == EINTR) continue; perror("pingonly: poll"); return 1; }
        if (fds[0].revents & POLLIN) {
            int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0 && n < MAX_FDS) {
                fds[n] = (struct pollfd){ .fd = c, .events = POLLIN };
                conns[n] = (struct conn){ .buf = malloc(MAX_RECORD), .have = 0 };
                n++;
            } else if (c >= 0) close(c);
        }
        for (int i = 1; i < n; i++) {
            if (!fds[i].revents) continue;
            struct conn *c = &conns[i];
            ssize_t r = read(fds[i].fd, c->buf + c->have, MAX_RECORD - c->have);
            if (r <= 0 || (c->have += r, handle(fds[i].fd, c) < 0)) {
                close(fds[i].fd);
                free(c->buf);
                fds[i] = fds[n - 1];
                conns[i] = conns[n - 1];
                n--, i--;
            }
        }
    }
}
