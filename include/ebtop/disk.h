/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Block I/O latency histograms and per-disk records, shared by bpf/ and src/. */
#ifndef EBTOP_DISK_H
#define EBTOP_DISK_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types on the BPF side. */
#define EBTOP_INLINE static __always_inline
#else
#include <linux/types.h>
#define EBTOP_INLINE static inline
#endif

/*
 * Log-linear latency buckets: values in units of 2^EBTOP_HIST_SHIFT ns; below
 * 2^EBTOP_HIST_SUB_BITS units one bucket per unit, above that every power of
 * two is split into 2^EBTOP_HIST_SUB_BITS equal buckets. A bucket is at most
 * 1/16 (6.25%) of its lower bound wide, so a percentile read from it is off
 * by less than that; plain log2 buckets are 100% wide. Range: 128 ns .. 137 s,
 * anything longer lands in the last bucket.
 */
#define EBTOP_HIST_SHIFT    7
#define EBTOP_HIST_SUB_BITS 4
#define EBTOP_HIST_SUB	    (1u << EBTOP_HIST_SUB_BITS)
#define EBTOP_HIST_MAX_MSB  29 /* 2^(29+1) units of 128 ns = 137 s */
#define EBTOP_HIST_BUCKETS  ((EBTOP_HIST_MAX_MSB - EBTOP_HIST_SUB_BITS + 2) * EBTOP_HIST_SUB)

/* One latency distribution: counts wrap at 2^32 (readers diff modulo 2^32). */
struct ebtop_hist {
	__u64 count;
	__u64 sum_ns;
	__u32 b[EBTOP_HIST_BUCKETS];
};

/* Per process: queue+service (from request start) and service (from issue to the device). */
struct ebtop_disk_lat {
	struct ebtop_hist q;
	struct ebtop_hist s;
};

/* Key of the per-process latency map: pid reuse never merges two processes. */
struct ebtop_disk_lat_key {
	__u32 tgid; /* 0: requests with no task context ("kernel") */
	__u32 __pad;
	__u64 pstart_ns;
};

enum ebtop_disk_op { EBTOP_DISK_READ = 0, EBTOP_DISK_WRITE = 1, EBTOP_DISK_NOPS = 2 };

/* One block device (whole disk), counted at completion. */
struct ebtop_disk_dev {
	char name[32];
	__u32 dev; /* major << 20 | minor, the kernel's dev_t */
	__u32 __pad;
	__u64 bytes[EBTOP_DISK_NOPS];
	__u64 ios[EBTOP_DISK_NOPS];
	struct ebtop_disk_lat lat[EBTOP_DISK_NOPS];
};

EBTOP_INLINE __u32 ebtop_msb64(__u64 v)
{
	__u32 r = 0;

	/* Branch-free enough for the verifier: six halving steps, no loop. */
	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

/* The bucket a latency in ns falls into. */
EBTOP_INLINE __u32 ebtop_hist_bucket(__u64 ns)
{
	__u64 u = ns >> EBTOP_HIST_SHIFT;
	__u32 msb, idx;

	if (u < EBTOP_HIST_SUB)
		return (__u32)u;
	msb = ebtop_msb64(u);
	if (msb > EBTOP_HIST_MAX_MSB)
		return EBTOP_HIST_BUCKETS - 1;
	idx = (msb - EBTOP_HIST_SUB_BITS + 1) * EBTOP_HIST_SUB +
	      (__u32)((u >> (msb - EBTOP_HIST_SUB_BITS)) & (EBTOP_HIST_SUB - 1));
	return idx < EBTOP_HIST_BUCKETS ? idx : EBTOP_HIST_BUCKETS - 1;
}

/* Lowest ns value of bucket idx; the bucket ends where idx + 1 begins. */
EBTOP_INLINE __u64 ebtop_hist_lower(__u32 idx)
{
	__u32 octave, sub;

	if (idx < EBTOP_HIST_SUB)
		return (__u64)idx << EBTOP_HIST_SHIFT;
	octave = idx / EBTOP_HIST_SUB - 1 + EBTOP_HIST_SUB_BITS; /* msb of the unit value */
	sub = idx % EBTOP_HIST_SUB;
	return ((1ull << octave) + ((__u64)sub << (octave - EBTOP_HIST_SUB_BITS)))
	       << EBTOP_HIST_SHIFT;
}

#ifndef __BPF__
_Static_assert(sizeof(struct ebtop_hist) % 8 == 0, "histogram alignment");
_Static_assert(sizeof(struct ebtop_disk_dev) % 8 == 0, "disk record alignment");
#endif

#endif
