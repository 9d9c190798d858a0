/* The records NfsWatch's BPF program shares with the daemon (BpfRecords.cs mirrors them, field for field).
 * Fixed sizes only, little-endian, as libbpf-tools' tool.h files do. */
#ifndef NFSWATCH_BPF_H
#define NFSWATCH_BPF_H

#define NFSWATCH_STRINGS 4        /* string arguments copied per call: mount(2) has four */
#define NFSWATCH_STRING_BYTES 256 /* bytes kept of each, its NUL included */
#define NFSWATCH_NR_MAX 512       /* system call numbers below this are classified (interest map) */

/* One mount-family call in flight, keyed by thread id in the "mount_calls" hash map. */
struct nfswatch_mount_call {
	__u32 tid;
	__u32 pid;
	__u64 start_ns;                          /* bpf_ktime_get_ns() at entry: CLOCK_MONOTONIC */
	__s32 nr;                                /* the system call number, as the tracepoint gives it */
	__u32 pad;
	__u64 args[6];                           /* the raw argument registers */
	__s16 len[NFSWATCH_STRINGS];             /* bytes copied with the NUL, or a negative errno; 0 for an unused slot */
	__u8 arg[NFSWATCH_STRINGS];              /* which argument each slot holds, 0xff for none */
	__u32 pad2;
	char str[NFSWATCH_STRINGS][NFSWATCH_STRING_BYTES];
};

/* What the interest map says of a system call number (its value: kind | argument index << 8). */
#define NFSWATCH_CALL_NONE 0
#define NFSWATCH_CALL_FD 1        /* its file is named by a descriptor argument */
#define NFSWATCH_CALL_PATH 2      /* its file is named by a path argument */
#define NFSWATCH_CALL_MOUNT 3     /* a mount-family call */

/* Why the task iterator names a thread. */
#define NFSWATCH_WHY_UNINTERRUPTIBLE 1 /* state D */
#define NFSWATCH_WHY_REMOTE_FILE 2     /* asleep (S) in a call on a network, FUSE or autofs file */
#define NFSWATCH_WHY_UNKNOWN_FILE 3    /* asleep (S) in a file call whose file could not be told */
#define NFSWATCH_WHY_KTHREAD_NAME 4    /* a kernel thread named like an NFSv4 state manager */
#define NFSWATCH_WHY_MOUNT_CALL 5      /* in a mount-family call (one that began before the probe was attached) */
#define NFSWATCH_WHY_END 0xffff        /* the last record: tid holds the number of threads visited */

/* One thread the task iterator names: written with bpf_seq_write, read back from the iterator's file. */
struct nfswatch_task {
	__u32 tid;
	__u32 pid;
	__u32 state;  /* task_struct.__state */
	__u32 flags;  /* task_struct.flags (PF_*) */
	__s32 nr;     /* the system call it is in, -1 outside one or for a kernel thread */
	__u32 why;
};

/* Slots of the per-CPU "counters" array. */
#define NFSWATCH_COUNT_ENTERED 0  /* mount-family calls recorded */
#define NFSWATCH_COUNT_MAP_FULL 1 /* calls not recorded because the map was full */
#define NFSWATCH_COUNTERS 2

#endif
