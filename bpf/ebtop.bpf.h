/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Maps and helpers shared by every ebtop BPF source file. */
#ifndef EBTOP_BPF_H
#define EBTOP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ebtop/task.h"
#include "sched.bpf.h"

#define AF_INET	 2
#define AF_INET6 10
#define MSG_PEEK 2

/* Set in ebtop_task.flags once the exit record has been queued. */
#define EBTOP_TASK_EXITED 1u
/* Set once file_rd_base/file_wr_base hold the thread's task->ioac at ebtop's start. */
#define EBTOP_TASK_IOAC_BASE 2u

/* Per-thread value in task storage: counters user space reads, plus hook state. */
struct ebtop_task {
	struct ebtop_task_stats c;
	__u32 flags;
	__u32 disk_dev;	    /* disk of the thread's previous block request */
	__u64 disk_next;    /* the sector right after it: where a sequential one starts */
	__u64 file_rd_base; /* task->ioac.rchar/wchar when ebtop started (older threads) */
	__u64 file_wr_base;
	__u64 dirtied_base; /* task->ioac.write_bytes/cancelled_write_bytes, likewise */
	__u64 cancelled_base;
	struct ebtop_sched_slot sched; /* used when the thread's sched slot is taken (tid set) */
};

/* Freed by the kernel together with the task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ebtop_task);
} task_stats SEC(".maps") __weak;

/* Exit records (struct ebtop_task_rec) and their tails (struct ebtop_tail_rec). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized from user space */
} exits SEC(".maps") __weak;

/* Set by user space before load; net_nslots is a power of two. */
const volatile __u32 net_nslots __weak = 4096;
const volatile __u32 nr_cpus __weak = 1;
/*
 * Per-CPU slots need bpf_loop (5.17) and bpf_map_lookup_percpu_elem (5.19) to
 * be read per thread; without them every thread counts in task storage.
 */
const volatile bool net_use_slots __weak = true;
/* bpf_ktime_get_boot_ns() just before load: threads older than this have an ioac baseline. */
const volatile __u64 start_boot_ns __weak = 0;

/* Per-CPU direct-mapped network counters; see struct ebtop_net_slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096); /* = net_nslots */
	__type(key, __u32);
	__type(value, struct ebtop_net_slot);
} net_slots SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EBTOP_NERR);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps") __weak;

static __always_inline void count_error(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&errors, &which);

	/* Atomic although per-CPU: a softirq program can interrupt a process-context one here. */
	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The calling thread's counters, created on first use. */
static __always_inline struct ebtop_task *current_task_stats(void)
{
	struct ebtop_task *st;

	st = bpf_task_storage_get(&task_stats, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		count_error(EBTOP_ERR_STORAGE);
	return st;
}

#endif
