/*
 * nfsmount: calls mount(2) directly, with no mount helper, as dockerd's local volume driver does for NFS
 * volumes, for NfsWatch's VM tier (tests/vm). Run it only inside the VM.
 *
 *   nfsmount SOURCE TARGET FSTYPE DATA     e.g. nfsmount 127.0.0.2:/ /mnt/a nfs4 vers=4.1,addr=127.0.0.2,clientaddr=127.0.0.1
 *
 * Prints "nfsmount: pid=PID tid=TID" just before the call and "nfsmount: mount returned 0" or the error
 * afterwards; exits 0 when the mount succeeded, 1 when it failed. No lifetime of its own: a blocked
 * mount(2) of NFS is killable, and the scenario kills it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: nfsmount SOURCE TARGET FSTYPE DATA\n");
        return 2;
    }
    printf("nfsmount: pid=%d tid=%ld\n", getpid(), (long)syscall(SYS_gettid));
    fflush(stdout);
    if (mount(argv[1], argv[2], argv[3], 0, argv[4]) < 0) {
        printf("nfsmount: mount returned %s\n", strerror(errno));
        return 1;
    }
    printf("nfsmount: mount returned 0\n");
    return 0;
}
