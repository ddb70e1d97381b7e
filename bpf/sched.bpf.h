/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Scheduler state of one thread: its slot, its clocks, and how readers add it up. */
#ifndef EBTOP_SCHED_BPF_H
#define EBTOP_SCHED_BPF_H

/* Included by ebtop.bpf.h, after vmlinux.h and the libbpf headers. */

/* What a thread is doing since ebtop_sched_slot.stamp; kept in the stamp's low bits. */
enum ebtop_sched_state {
	SCHED_UNKNOWN = 0, /* no event since ebtop started: in the state it was in then */
	SCHED_ONCPU = 1,
	SCHED_RUNNABLE = 2, /* woken or preempted, waiting on a run queue */
	SCHED_BLOCKED = 3,  /* switched out not runnable: off CPU */
};

#define SCHED_STATE_MASK 3ull

/*
 * The scheduler state of one thread, one cache line: slot (tid % slots) of a
 * global table belongs to the first thread that used it until that thread
 * exits. A switch touches only the slots of prev and next, where task storage
 * would cost three dependent cache misses per task (~45 ns each side). A
 * thread whose slot is taken keeps the same struct in its task storage.
 *
 * Only events about the thread itself write its slot, and the kernel
 * serializes those (rq lock, pi_lock, on_cpu); seq is odd while they do, so
 * the task iterator, on another CPU, can read a consistent copy. Stores are
 * not reordered with stores, nor loads with loads, on x86 (TSO); other
 * architectures would need store-release/load-acquire here.
 */
struct ebtop_sched_slot {
	__u32 tid; /* owner; 0 when free */
	__u32 seq;
	/*
	 * When the current state began, state in the low two bits: on CPU, the
	 * run queue's clock_task (the clock the kernel charges CPU time with:
	 * it leaves out time stolen by a hypervisor); otherwise its clock.
	 */
	__u64 stamp;
	__u64 oncpu_ns;
	__u64 runq_ns;
	__u64 offcpu_ns;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 migrations;
};

_Static_assert(sizeof(struct ebtop_sched_slot) == 64, "one cache line per thread");

/* Set by user space before load; sched_nslots is a power of two. */
const volatile __u32 sched_nslots __weak = 32768;
const volatile __u32 sched_on __weak = 0; /* the scheduler programs are loaded */
/* sched_wakeup is loaded; without it, off-CPU ends at the task's sched_info.last_queued. */
const volatile __u32 sched_wakeups __weak = 1;

/*
 * Clocks. Events are stamped with the scheduler's own clocks (rq->clock,
 * rq->clock_task), which __schedule and try_to_wake_up have just updated:
 * a memory load instead of bpf_ktime_get_ns (~65 ns on these machines).
 * Readers that need "now" (the task iterator, exit records) take
 * CLOCK_MONOTONIC minus an offset that sched_switch refreshes every
 * SCHED_CALIB_NS.
 */
#define SCHED_CALIB_NS 100000000ull
__u64 sched_start_ns __weak = 0; /* CLOCK_MONOTONIC when counting starts; set by user space */
__u64 sched_start_c __weak = 0;	 /* the same instant on rq->clock; 0 until known */
__u64 sched_off_c __weak = 0;	 /* CLOCK_MONOTONIC - rq->clock */
__u64 sched_calib_c __weak = 0;	 /* rq->clock at the last calibration; 0: calibrate now */
__u32 sched_calibrated __weak = 0;

/* Page-aligned values (mmapable), so each slot is exactly one cache line. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 32768); /* = sched_nslots */
	__type(key, __u32);
	__type(value, struct ebtop_sched_slot);
} sched_slots SEC(".maps") __weak;

#define sched_barrier() asm volatile("" ::: "memory")

/* c: rq->clock (run-queue and off-CPU stamps); t: rq->clock_task (on-CPU stamps). */
struct sched_clocks {
	__u64 c;
	__u64 t;
};

/* Run queue the task is on (or last ran on); NULL without CONFIG_FAIR_GROUP_SCHED. */
static __always_inline struct rq *task_rq_of(const struct task_struct *t)
{
	if (!bpf_core_field_exists(t->se.cfs_rq))
		return NULL;
	return BPF_CORE_READ(t, se.cfs_rq, rq);
}

/* Stretches before counting started are cut off; 0: not known yet, nothing to cut. */
static __always_inline __u64 sched_clip(__u64 since)
{
	__u64 start = sched_start_c;

	return since > start ? since : start;
}

/*
 * The clocks now, for a reader: rq->clock from CLOCK_MONOTONIC, and the
 * task's clock_task moved on by the same amount since its run queue's clock
 * was last updated (at most a tick ago). False before the first calibration.
 */
static __always_inline bool sched_now(const struct task_struct *t, struct sched_clocks *now)
{
	struct rq *rq;
	__u64 rc, rt;

	if (!sched_calibrated)
		return false;
	now->c = bpf_ktime_get_ns() - sched_off_c;
	now->t = now->c;
	rq = t ? task_rq_of(t) : NULL;
	if (rq) {
		rc = BPF_CORE_READ(rq, clock);
		rt = BPF_CORE_READ(rq, clock_task);
		now->t = rt + (now->c > rc ? now->c - rc : 0);
	}
	return true;
}

/*
 * Where a thread's first stretch begins when no event was seen for it yet:
 * when counting started, or when the thread started if later
 * (task->start_time is CLOCK_MONOTONIC). 0 while unknown.
 */
static __always_inline __u64 sched_first_since(const struct task_struct *t)
{
	__u64 start = sched_start_c, born;

	if (!start || !t)
		return start;
	born = BPF_CORE_READ(t, start_time) - sched_off_c;
	return born > start ? born : start;
}

/*
 * Transitions the tracepoints did not report. The kernel does not fire
 * sched_switch or sched_wakeup while some tasks are current (seen on these
 * machines for the threads of PID 1: a task they wake, or that runs after
 * them, arrives unseen), and nothing before attach is seen either. The
 * task's own scheduler stamps place what was missed: sched_info.last_arrival
 * is when it last came on CPU, sched_info.last_queued when it was last put
 * on a run queue (cleared on arrival), both on rq->clock.
 */

/* Scheduler classes whose tasks keep se.prev_sum_exec_runtime: normal, batch, idle. */
static __always_inline bool sched_fair_policy(unsigned int policy)
{
	return policy == 0 || policy == 3 || policy == 5;
}

/*
 * t is on CPU, in state `state` since `since` as far as events tell. Before
 * its arrival it was waiting (RUNNABLE) or off CPU (BLOCKED; also UNKNOWN,
 * whose wakeup, if any, was lost); since then on CPU, for the time the kernel
 * charged it (fair class, when `cap`) or the wall time. False when the
 * arrival is not within [since, now]: it came before, so it ran all along.
 */
static __always_inline bool sched_place_arrival(__u64 *on, __u64 *runq, __u64 *off,
						const struct task_struct *t, int state, __u64 since,
						__u64 now_c, bool cap)
{
	__u64 arrived, ran;

	if (!bpf_core_field_exists(t->sched_info))
		return false;
	arrived = BPF_CORE_READ(t, sched_info.last_arrival);
	if (arrived <= since || arrived >= now_c)
		return false;
	if (state == SCHED_RUNNABLE)
		*runq += arrived - since;
	else
		*off += arrived - since;
	ran = now_c - arrived;
	if (cap && sched_fair_policy(BPF_CORE_READ(t, policy))) {
		__u64 k = BPF_CORE_READ(t, se.sum_exec_runtime) -
			  BPF_CORE_READ(t, se.prev_sum_exec_runtime);

		if (k < ran)
			ran = k;
	}
	*on += ran;
	return true;
}

/* The kernel's stamp of t's last enqueue (0 without CONFIG_SCHED_INFO). */
static __always_inline __u64 sched_queued(const struct task_struct *t)
{
	if (!bpf_core_field_exists(t->sched_info))
		return 0;
	return BPF_CORE_READ(t, sched_info.last_queued);
}

/*
 * A task runnable since `queued` (the kernel's enqueue stamp, which can be
 * stale: only one inside [since, now] is used), off CPU since `since` as far as
 * events tell: the enqueue ends the off-CPU stretch. Without a usable stamp,
 * the whole stretch is off CPU, or waiting when `fallback_runq`.
 */
static __always_inline void sched_place_wakeup(__u64 *runq, __u64 *off, __u64 queued, __u64 since,
					       __u64 now_c, bool fallback_runq)
{
	if (queued > since && queued < now_c) {
		*off += queued - since;
		*runq += now_c - queued;
	} else if (now_c > since) {
		*(fallback_runq ? runq : off) += now_c - since;
	}
}

/*
 * Adds the thread's counters to dst, plus the stretch of its current state up
 * to now, so a thread that runs (or sleeps) through a whole interval is
 * charged for it. A thread seen for the first time is in the state the kernel
 * says, since ebtop started. Returns the instant (run queue task clock) up to
 * which a thread on CPU was charged, 0 when it was not seen on CPU.
 */
static __always_inline __u64 sched_slot_read(struct ebtop_sched_counters *dst,
					     const struct ebtop_sched_slot *s,
					     const struct task_struct *t)
{
	struct sched_clocks now;
	__u64 stamp = 0, since, c[6] = {};
	__u32 seq = 1;
	bool on_cpu;
	int state;

	for (int i = 0; i < 4; i++) {
		seq = *(volatile const __u32 *)&s->seq;
		sched_barrier();
		stamp = s->stamp;
		c[0] = s->oncpu_ns;
		c[1] = s->runq_ns;
		c[2] = s->offcpu_ns;
		c[3] = s->nvcsw;
		c[4] = s->nivcsw;
		c[5] = s->migrations;
		sched_barrier();
		if (!(seq & 1) && seq == *(volatile const __u32 *)&s->seq)
			break;
		seq = 1;
	}
	if (seq & 1)
		return 0; /* never seen still: leave the thread as it was last time */
	dst->oncpu_ns += c[0];
	dst->runq_ns += c[1];
	dst->offcpu_ns += c[2];
	dst->nvcsw += c[3];
	dst->nivcsw += c[4];
	dst->migrations += c[5];
	if (!sched_now(t, &now))
		return 0;
	state = stamp & SCHED_STATE_MASK;
	since = stamp & ~SCHED_STATE_MASK;
	if (state == SCHED_ONCPU) {
		__u64 cap = sched_start_c && now.c > sched_start_c ? now.c - sched_start_c : ~0ull;

		if (now.t > since)
			dst->oncpu_ns += now.t - since < cap ? now.t - since : cap;
		return now.t > since ? now.t : since;
	}
	if (!t)
		return 0;
	since = state == SCHED_UNKNOWN ? sched_first_since(t) : sched_clip(since);
	if (!since || now.c <= since)
		return 0;
	on_cpu = BPF_CORE_READ(t, on_cpu);
	if (on_cpu) {
		if (!sched_place_arrival(&dst->oncpu_ns, &dst->runq_ns, &dst->offcpu_ns, t, state,
					 since, now.c, false) &&
		    state == SCHED_UNKNOWN)
			dst->oncpu_ns += now.c - since; /* on CPU since before ebtop started */
	} else if (state == SCHED_RUNNABLE) {
		dst->runq_ns += now.c - since;
	} else if (BPF_CORE_READ(t, __state) == 0) { /* woken, not reported */
		sched_place_wakeup(&dst->runq_ns, &dst->offcpu_ns, sched_queued(t), since, now.c,
				   state == SCHED_UNKNOWN);
	} else {
		dst->offcpu_ns += now.c - since;
	}
	return 0;
}

#endif
