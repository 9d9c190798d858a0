// SPDX-License-Identifier: (MIT OR GPL-2.0-only)
/* A BPF object with NfsWatch's maps whose program the verifier must refuse: it reads past its stack. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } mount_calls SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } counters SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 512); __type(key, __u32); __type(value, __u32); } interest SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_mount")
int enter_mount(void *ctx)
{
	volatile char buf[8];
	int i = (int)bpf_get_prandom_u32();
	return buf[i]; /* an unbounded offset into the stack */
}
