// SPDX-License-Identifier: (MIT OR GPL-2.0-only)
/*
 * NfsWatch's kernel side: two programs, loaded by BpfProbe.cs through libbpf.
 *
 * 1. Mount-family calls in flight. The per-system-call tracepoints syscalls:sys_enter_X and sys_exit_X of the
 *    nine mount-family calls record a call at entry (thread, process, start time, number, argument registers,
 *    and the string arguments copied from the caller's memory right then) in the hash map "mount_calls", and
 *    remove it at exit. A call that a fatal signal ends leaves through sys_exit too: the exit work runs on
 *    the way out of every system call (kernel/entry/common.c syscall_exit_work).
 *    Cost to other system calls: the per-syscall events are built on the raw sys_enter/sys_exit tracepoints,
 *    and attaching one sets the syscall-work flag on every thread (kernel/tracepoint.c syscall_regfunc), so
 *    every system call of the host takes the traced entry and exit path and runs the kernel's dispatcher, which
 *    finds the call's bit clear and returns (kernel/trace/trace_syscalls.c perf_syscall_enter). Measured by
 *    tests/bench (syscalls.c): tens of nanoseconds a call; this program itself runs only for the nine calls.
 *    The tracepoint context is the trace event's own record (tracefs events/syscalls/sys_enter_mount/format:
 *    8 bytes of common fields, __syscall_nr at 8, then the call's own arguments as 8-byte fields from 16), so
 *    it needs no CO-RE.
 *
 * 2. Threads that may be blocked in a filesystem, without reading every thread's proc files. A task iterator
 *    (iter/task, kernel/bpf/task_iter.c) runs over every thread when the daemon reads its file, and names
 *    only: threads in D; threads asleep (S) in a file call whose file is on NFS, CIFS/SMB, FUSE or autofs (a
 *    FUSE request waits interruptibly: fs/fuse/dev.c request_wait_answer), or whose file cannot be told;
 *    kernel threads named like an NFSv4 state manager; and threads in a mount-family call, which catches the
 *    calls that began before the tracepoints were attached. The kernel structures it reads are read with CO-RE
 *    (BPF_CORE_READ, preserve_access_index), so one object fits every kernel with BTF.
 *
 * Struct and constant sources: include/linux/sched.h (TASK_*, PF_*), include/uapi/linux/magic.h,
 * include/linux/fdtable.h, fs/namei.c (struct nameidata), include/uapi/linux/mount.h (FSCONFIG_*).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "nfswatch.bpf.h"

/* gpl_only helpers (bpf_probe_read_user_str, bpf_seq_write) need a GPL-compatible licence. */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_NOLOAD 0x0400 /* with TASK_UNINTERRUPTIBLE: TASK_IDLE, shown as I, waits for nothing */
#define PF_KTHREAD 0x00200000

#define NFS_SUPER_MAGIC 0x6969
#define FUSE_SUPER_MAGIC 0x65735546
#define CIFS_SUPER_MAGIC 0xFF534D42
#define SMB2_SUPER_MAGIC 0xFE534D42
#define AUTOFS_SUPER_MAGIC 0x0187

/* Only the fields read, with the kernel's names: CO-RE finds their offsets in the running kernel's BTF. */
struct super_block { unsigned long s_magic; } __attribute__((preserve_access_index));
struct inode { struct super_block *i_sb; } __attribute__((preserve_access_index));
struct file { struct inode *f_inode; } __attribute__((preserve_access_index));
struct fdtable { unsigned int max_fds; struct file **fd; } __attribute__((preserve_access_index));
struct files_struct { struct fdtable *fdt; } __attribute__((preserve_access_index));
struct dentry { struct super_block *d_sb; } __attribute__((preserve_access_index));
struct path { struct dentry *dentry; } __attribute__((preserve_access_index));
struct nameidata { struct path path; } __attribute__((preserve_access_index));
struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	struct files_struct *files;
	struct nameidata *nameidata;
} __attribute__((preserve_access_index));
/* Before 5.14 the state was a long named "state" (2f064a59a11f). */
struct task_struct___old { long state; } __attribute__((preserve_access_index));
/* The saved user registers: x86_64 and arm64 (arch/x86/include/asm/ptrace.h, arch/arm64/include/asm/ptrace.h). */
struct pt_regs___x86 { unsigned long di; unsigned long si; unsigned long orig_ax; } __attribute__((preserve_access_index));
struct pt_regs___arm64 { __u64 regs[31]; __u64 orig_x0; __s32 syscallno; } __attribute__((preserve_access_index));
struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; __u64 session_id; __u64 seq_num; } __attribute__((preserve_access_index));
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } __attribute__((preserve_access_index));

struct syscall_enter { __u64 common; __s32 nr; __u32 pad; __u64 args[6]; };

/* Sized by the daemon before load (bpf_map__set_max_entries); preallocated, so entry never allocates. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct nfswatch_mount_call);
} mount_calls SEC(".maps");

/* A record is built here: it is larger than the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfswatch_mount_call);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NFSWATCH_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Filled by the daemon from its system call tables: kind | argument index << 8, per number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NFSWATCH_NR_MAX);
	__type(key, __u32);
	__type(value, __u32);
} interest SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &slot);
	if (n)
		*n += 1;
}

/* Records the call; bit i of strings: argument i is a string to copy. A syscall's event record holds only its own
 * arguments (nargs of them): reading past it makes the kernel refuse the attach (perf_event_set_bpf_prog,
 * max_ctx_offset, EACCES). */
static __always_inline int enter(struct syscall_enter *ctx, const int nargs, const __u32 strings)
{
	__u32 zero = 0;
	struct nfswatch_mount_call *c = bpf_map_lookup_elem(&scratch, &zero);
	if (!c)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	c->tid = tid;
	c->pid = id >> 32;
	c->start_ns = bpf_ktime_get_ns();
	c->nr = ctx->nr;
	int slot = 0;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		c->args[i] = i < nargs ? ctx->args[i] : 0;
		if (i >= nargs || !(strings & (1u << i)) || slot >= NFSWATCH_STRINGS)
			continue;
		c->arg[slot] = i;
		c->len[slot] = ctx->args[i] ? bpf_probe_read_user_str(c->str[slot], NFSWATCH_STRING_BYTES, (const void *)ctx->args[i]) : 0;
		slot++;
	}
#pragma unroll
	for (int s = 0; s < NFSWATCH_STRINGS; s++)
		if (s >= slot) {
			c->arg[s] = 0xff;
			c->len[s] = 0;
		}
	if (bpf_map_update_elem(&mount_calls, &tid, c, BPF_ANY))
		count(NFSWATCH_COUNT_MAP_FULL);
	else
		count(NFSWATCH_COUNT_ENTERED);
	return 0;
}

static __always_inline int leave(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&mount_calls, &tid);
	return 0;
}

#define A(i) (1u << (i))
/* The argument count and string arguments of each call (man 2 mount, umount2, fsopen, fsconfig, open_tree, move_mount, fspick,
 * mount_setattr); the same choice as MountRequest.StringArguments. */
SEC("tracepoint/syscalls/sys_enter_mount") int enter_mount(struct syscall_enter *ctx) { return enter(ctx, 5, A(0) | A(1) | A(2) | A(4)); }
SEC("tracepoint/syscalls/sys_enter_umount") int enter_umount2(struct syscall_enter *ctx) { return enter(ctx, 2, A(0)); }
SEC("tracepoint/syscalls/sys_enter_fsopen") int enter_fsopen(struct syscall_enter *ctx) { return enter(ctx, 2, A(0)); }
SEC("tracepoint/syscalls/sys_enter_fsconfig") int enter_fsconfig(struct syscall_enter *ctx)
{
	/* FSCONFIG_SET_FLAG 0: a key; SET_STRING 1, SET_PATH 3, SET_PATH_EMPTY 4: a key and a string; SET_BINARY 2,
	 * SET_FD 5: a key (the value is no string); the commands from 6 on take none. The command is an unsigned int:
	 * the kernel ignores the register's upper half (__SC_CAST), and so does this. */
	__u32 cmd = (__u32)ctx->args[1];
	if (cmd == 1 || cmd == 3 || cmd == 4)
		return enter(ctx, 5, A(2) | A(3));
	if (cmd <= 5)
		return enter(ctx, 5, A(2));
	return enter(ctx, 5, 0);
}
SEC("tracepoint/syscalls/sys_enter_fsmount") int enter_fsmount(struct syscall_enter *ctx) { return enter(ctx, 3, 0); }
SEC("tracepoint/syscalls/sys_enter_move_mount") int enter_move_mount(struct syscall_enter *ctx) { return enter(ctx, 5, A(1) | A(3)); }
SEC("tracepoint/syscalls/sys_enter_open_tree") int enter_open_tree(struct syscall_enter *ctx) { return enter(ctx, 3, A(1)); }
SEC("tracepoint/syscalls/sys_enter_fspick") int enter_fspick(struct syscall_enter *ctx) { return enter(ctx, 3, A(1)); }
SEC("tracepoint/syscalls/sys_enter_mount_setattr") int enter_mount_setattr(struct syscall_enter *ctx) { return enter(ctx, 5, A(1)); }

/* umount2's event is named sys_exit_umount (SYSCALL_DEFINE2(umount, ...) in fs/namespace.c). */
SEC("tracepoint/syscalls/sys_exit_mount") int exit_mount(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_umount") int exit_umount2(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_fsopen") int exit_fsopen(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_fsconfig") int exit_fsconfig(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_fsmount") int exit_fsmount(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_move_mount") int exit_move_mount(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_open_tree") int exit_open_tree(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_fspick") int exit_fspick(void *ctx) { return leave(); }
SEC("tracepoint/syscalls/sys_exit_mount_setattr") int exit_mount_setattr(void *ctx) { return leave(); }

/* The iterator's task and what hangs off it are BTF pointers the verifier tracks: they are read with plain loads,
 * which cost a few nanoseconds where a bpf_probe_read_kernel call costs tens (the iterator visits every thread). */
static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return (__u32)((struct task_struct___old *)t)->state;
}

static __always_inline int is_remote(unsigned long magic)
{
	return magic == NFS_SUPER_MAGIC || magic == FUSE_SUPER_MAGIC || magic == CIFS_SUPER_MAGIC ||
	       magic == SMB2_SUPER_MAGIC || magic == AUTOFS_SUPER_MAGIC;
}

/* The system call a sleeping user thread is in, from its saved registers (-1 outside one), and two arguments. */
static __always_inline long syscall_of(struct task_struct *t, __u64 *arg0, __u64 *arg1)
{
	void *regs = (void *)bpf_task_pt_regs(t);
	if (!regs)
		return -1;
	if (bpf_core_field_exists(((struct pt_regs___x86 *)0)->orig_ax)) {
		struct pt_regs___x86 *r = regs;
		*arg0 = r->di;
		*arg1 = r->si;
		return (long)r->orig_ax;
	}
	if (bpf_core_field_exists(((struct pt_regs___arm64 *)0)->syscallno)) {
		struct pt_regs___arm64 *r = regs;
		*arg0 = r->orig_x0;
		*arg1 = r->regs[1];
		return r->syscallno;
	}
	return -1;
}

/* Why a thread asleep in a file call is named, or 0: its file (by descriptor), or the directory its path walk is in. */
static __always_inline __u32 asleep_in_file(struct task_struct *t, __u32 kind, __u64 arg)
{
	unsigned long magic;
	if (kind == NFSWATCH_CALL_FD) {
		struct files_struct *files = t->files;
		struct fdtable *fdt = files ? files->fdt : 0;
		if (!fdt || arg >= fdt->max_fds)
			return NFSWATCH_WHY_UNKNOWN_FILE;
		struct file **fds = fdt->fd;
		struct file *f = 0;
		/* An array of pointers is no BTF object: this one element is copied. */
		if (bpf_probe_read_kernel(&f, sizeof f, &fds[arg]) || !f)
			return NFSWATCH_WHY_UNKNOWN_FILE;
		magic = BPF_CORE_READ(f, f_inode, i_sb, s_magic);
	} else {
		struct nameidata *nd = t->nameidata;
		/* Outside a path walk (stat's getattr after the lookup, for one) the file cannot be told here. */
		if (!nd)
			return NFSWATCH_WHY_UNKNOWN_FILE;
		struct dentry *d = nd->path.dentry;
		struct super_block *sb = d ? d->d_sb : 0;
		if (!sb)
			return NFSWATCH_WHY_UNKNOWN_FILE;
		magic = sb->s_magic;
	}
	return is_remote(magic) ? NFSWATCH_WHY_REMOTE_FILE : 0;
}

/* "10.0.0.5-manager", "nfs.example.com-": an address or host name, a dash, and no slash (kworker/...). */
static __always_inline int named_like_manager(struct task_struct *t)
{
	int dotted = 0;
#pragma unroll
	for (int i = 0; i < 16; i++) {
		char c = t->comm[i];
		if (c == 0)
			break;
		if (c == '/')
			return 0;
		if (c == '.' || c == ':' || (c == '-' && i < 15 && t->comm[i + 1] == 'm'))
			dotted = 1;
	}
	return dotted;
}

SEC("iter/task")
int blocked_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct nfswatch_task r = {};
	if (!t) {
		/* Called once more at the end: how many threads were visited. */
		r.tid = (__u32)ctx->meta->seq_num;
		r.why = NFSWATCH_WHY_END;
		bpf_seq_write(seq, &r, sizeof r);
		return 0;
	}
	__u32 state = task_state(t);
	__u32 flags = t->flags;
	int uninterruptible = (state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD);
	r.tid = t->pid;
	r.pid = t->tgid;
	r.state = state;
	r.flags = flags;
	r.nr = -1;
	if (flags & PF_KTHREAD) {
		if (uninterruptible)
			r.why = NFSWATCH_WHY_UNINTERRUPTIBLE;
		else if (named_like_manager(t))
			r.why = NFSWATCH_WHY_KTHREAD_NAME;
		else
			return 0;
		bpf_seq_write(seq, &r, sizeof r);
		return 0;
	}
	/* A running thread and one in an idle wait cost only these few reads. */
	if (!(state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)) && state != 0)
		return 0;
	__u64 arg0 = 0, arg1 = 0;
	long nr = syscall_of(t, &arg0, &arg1);
	r.nr = (__s32)nr;
	__u32 kind = 0;
	if (nr >= 0 && nr < NFSWATCH_NR_MAX) {
		__u32 key = (__u32)nr;
		__u32 *v = bpf_map_lookup_elem(&interest, &key);
		kind = v ? *v : 0;
	}
	if ((kind & 0xff) == NFSWATCH_CALL_MOUNT)
		r.why = NFSWATCH_WHY_MOUNT_CALL;
	else if (uninterruptible)
		r.why = NFSWATCH_WHY_UNINTERRUPTIBLE;
	else if ((state & TASK_INTERRUPTIBLE) && ((kind & 0xff) == NFSWATCH_CALL_FD || (kind & 0xff) == NFSWATCH_CALL_PATH))
		r.why = asleep_in_file(t, kind & 0xff, (kind >> 8) ? arg1 : arg0);
	if (!r.why)
		return 0;
	bpf_seq_write(seq, &r, sizeof r);
	return 0;
}
