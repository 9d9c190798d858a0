/*
 * blackhole: an "NFS server" that accepts TCP connections and never answers, for NfsWatch's VM tier
 * (tests/vm). A mount(2) against it waits forever for the first RPC NULL
 * ping inside rpc_create: state D, wchan rpc_wait_bit_killable. Run it only inside the test VM.
 *
 *   blackhole ADDR [PORT [LIFETIME]]   PORT defaults to 2049, LIFETIME to 300 seconds
 *
 * Reads and discards whatever arrives, so the client's sends never stall on a full window. Prints
 * "blackhole: listening on ADDR:PORT" once bound, and exits by itself after LIFETIME seconds (SIGALRM),
 * closing every connection, so a crashed scenario leaves no listener behind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 64

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: blackhole ADDR [PORT [LIFETIME_SECONDS]]\n");
        return 2;
    }
    int port = argc > 2 ? atoi(argv[2]) : 2049;
    int lifetime = argc > 3 ? atoi(argv[3]) : 300;
    if (lifetime <= 0 || lifetime > 3600) lifetime = 300;
    alarm(lifetime); /* default action of SIGALRM: terminate */

    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) { fprintf(stderr, "blackhole: bad address %s\n", argv[1]); return 2; }
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0) { perror("blackhole: bind/listen"); return 1; }
    printf("blackhole: listening on %s:%d for %d s\n", argv[1], port, lifetime);
    fflush(stdout);

    struct pollfd fds[MAX_FDS] = { { .fd = l, .events = POLLIN } };
    int n = 1;
    static char buf[65536];
    for (;;) {
        if (poll(fds, n, -1) < 0) { if (errno == EINTR) continue; perror("blackhole: poll"); return 1; }
        if (fds[0].revents & POLLIN) {
            int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0 && n < MAX_FDS) { fds[n].fd = c; fds[n].events = POLLIN; fds[n].revents = 0; n++; }
            else if (c >= 0) close(c);
        }
        for (int i = 1; i < n; i++) {
            if (!fds[i].revents) continue;
            if (read(fds[i].fd, buf, sizeof buf) <= 0) { close(fds[i].fd); fds[i--] = fds[--n]; }
        }
    }
}
