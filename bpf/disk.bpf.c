// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Block requests per thread and per disk: bytes, requests, sequential share, latency. */
#include "ebtop.bpf.h"
#include "ebtop/disk.h"

#define REQ_OP_MASK	  0xff
#define PF_KTHREAD	  0x00200000
#define PAGE_MAPPING_ANON 0x1
#define SECTOR_SHIFT	  9
#define E2BIG		  7

/* libbpf older than 1.2 lacks bpf_ksym_exists(): a weak ksym that is missing resolves to 0. */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
void bpf_task_release(struct task_struct *p) __ksym __weak;

/* Who a request belongs to, from its start until it completes. */
struct inflight {
	__u32 tgid; /* 0: no task context ("kernel") */
	__u32 dev;
	__u64 pstart_ns;
	__u64 t_start; /* request set up (CLOCK_MONOTONIC), as /proc/diskstats times it */
	__u64 t_issue; /* handed to the driver; 0 until then */
	__u32 bytes;   /* final size, taken at issue when no more bios can merge */
	__u32 op;
};

/* Keyed by request pointer. Requests come from fixed per-queue pools, so a stale entry
 * (a request that ended without a completion event) is overwritten when its slot is reused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized from user space */
	__type(key, __u64);
	__type(value, struct inflight);
} disk_inflight SEC(".maps");

/* Per process (tgid, start time): latency histograms; entries of dead processes are
 * deleted by user space. Full: the request still counts, its latency is dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096); /* resized from user space */
	__type(key, struct ebtop_disk_lat_key);
	__type(value, struct ebtop_disk_lat);
} disk_proc_lat SEC(".maps");

/* Per disk and per CPU: completions on different CPUs never share a cache line. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64); /* resized from user space */
	__type(key, __u32);
	__type(value, struct ebtop_disk_dev);
} disk_devs SEC(".maps");

/* The last thread that dirtied a file's pages, by address_space: writeback done later by a
 * kernel thread is credited to it. An LRU: losing an old file only costs the attribution. */
struct dirtier {
	__u32 tid;
	__u32 tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384); /* resized from user space */
	__type(key, __u64);
	__type(value, struct dirtier);
} disk_dirtier SEC(".maps");

/* Counters of requests with no task context, summed over CPUs by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_disk_counters);
} disk_kernel SEC(".maps");

/* Templates for new map entries: the values are too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_disk_dev);
} disk_dev_tmpl SEC(".maps");

/* Never written: all zero. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_disk_lat);
} disk_lat_zero SEC(".maps");

/* The owner of a request being started or grown. */
struct owner {
	struct ebtop_task *st; /* NULL for "kernel" */
	__u32 tgid;
	__u64 pstart_ns;
};

/* The file the first page of a bio belongs to; 0 for anonymous or user pages. */
static __always_inline __u64 bio_mapping(struct bio *bio)
{
	struct bio_vec *bv = bio->bi_io_vec;
	struct page *page;
	unsigned long head, mapping;

	if (!bv)
		return 0;
	page = bv->bv_page;
	if (!page)
		return 0;
	/* A tail page of a large folio points to its head with bit 0 set. */
	head = BPF_CORE_READ(page, compound_head);
	if (head & 1)
		page = (struct page *)(head - 1);
	mapping = (unsigned long)BPF_CORE_READ(page, mapping);
	if (mapping & PAGE_MAPPING_ANON)
		return 0;
	return mapping;
}

/* Page-cache writeback by a kernel thread: the last dirtier of the file, when still alive. */
static __always_inline bool dirtier_owner(struct bio *bio, struct owner *o)
{
	struct task_struct *t;
	struct dirtier *d;
	__u64 mapping;

	if (!bpf_ksym_exists(bpf_task_from_pid) || !bio)
		return false;
	mapping = bio_mapping(bio);
	if (!mapping)
		return false;
	d = bpf_map_lookup_elem(&disk_dirtier, &mapping);
	if (!d)
		return false;
	t = bpf_task_from_pid(d->tid);
	if (!t) /* that thread ended: its process, while it lives */
		t = bpf_task_from_pid(d->tgid);
	if (!t)
		return false;
	if (t->tgid != d->tgid || (t->flags & PF_KTHREAD)) {
		bpf_task_release(t);
		return false;
	}
	o->st = bpf_task_storage_get(&task_stats, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	o->tgid = t->tgid;
	o->pstart_ns = t->group_leader->start_boottime;
	bpf_task_release(t);
	if (!o->st)
		count_error(EBTOP_ERR_STORAGE);
	return o->st != NULL;
}

static __always_inline void find_owner(struct bio *bio, __u32 op, struct owner *o)
{
	struct task_struct *cur;

	o->st = NULL;
	o->tgid = 0;
	o->pstart_ns = 0;
	/*
	 * Interrupt context cannot be told apart here (the preempt count is a per-CPU
	 * variable this kernel does not export to BPF), but a request started from an
	 * interrupt on an idle CPU runs as the idle task: that one has no owner.
	 */
	cur = bpf_get_current_task_btf();
	if (cur->pid == 0)
		return;
	if (op == EBTOP_DISK_WRITE && (cur->flags & PF_KTHREAD) && dirtier_owner(bio, o))
		return;
	o->st = current_task_stats();
	if (!o->st)
		return;
	o->tgid = cur->tgid;
	o->pstart_ns = cur->group_leader->start_boottime;
}

static __always_inline struct ebtop_disk_counters *owner_counters(struct owner *o)
{
	__u32 zero = 0;

	if (o->st)
		return &o->st->c.disk;
	return bpf_map_lookup_elem(&disk_kernel, &zero);
}

static __always_inline __u32 disk_dev_of(struct gendisk *disk)
{
	return ((__u32)disk->major << 20) | (__u32)disk->first_minor;
}

static __always_inline __u32 req_op(struct request *rq)
{
	__u32 op = rq->cmd_flags & REQ_OP_MASK;

	/* REQ_OP_READ 0, REQ_OP_WRITE 1; flush, discard and the rest are not data. */
	return op <= 1 ? op : EBTOP_DISK_NOPS;
}

/* Counts a new request for its owner and starts timing it. */
static __always_inline void request_start(struct request *rq, bool kernel_stamp)
{
	__u64 key = (__u64)rq;
	struct ebtop_disk_counters *c;
	struct inflight in = {};
	struct owner o;
	__u32 op = req_op(rq), bytes = rq->__data_len, dev;
	__u64 sector = rq->__sector;

	if (op >= EBTOP_DISK_NOPS || !rq->q->disk)
		return;
	dev = disk_dev_of(rq->q->disk);
	find_owner(rq->bio, op, &o);
	c = owner_counters(&o);
	if (c) {
		c->bytes[op & 1] += bytes;
		c->ios[op & 1] += 1;
		if (o.st) {
			if (o.st->disk_dev == dev && o.st->disk_next == sector)
				c->seq[op & 1] += 1;
			o.st->disk_dev = dev;
			o.st->disk_next = sector + (bytes >> SECTOR_SHIFT);
		}
	}
	in.tgid = o.tgid;
	in.pstart_ns = o.pstart_ns;
	in.dev = dev;
	in.op = op;
	in.bytes = bytes;
	/*
	 * From block_io_start: now, as the kernel stamps the request right after that
	 * tracepoint (rq->start_time_ns still holds its previous use there). Later hooks
	 * (block_rq_insert/issue) take that stamp, what /proc/diskstats times from:
	 * the time on the plug list is counted too.
	 */
	if (kernel_stamp && bpf_core_field_exists(rq->start_time_ns))
		in.t_start = rq->start_time_ns;
	if (!in.t_start)
		in.t_start = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&disk_inflight, &key, &in, BPF_ANY))
		count_error(EBTOP_ERR_DISK_INFLIGHT);
}

/* A bio joined an existing request: its bytes belong to whoever submitted it. */
static __always_inline void bio_merged(struct bio *bio, bool back)
{
	struct ebtop_disk_counters *c;
	struct owner o;
	__u32 op = bio->bi_opf & REQ_OP_MASK, bytes = bio->bi_iter.bi_size;

	if (op > 1)
		return;
	find_owner(bio, op, &o);
	c = owner_counters(&o);
	if (!c)
		return;
	c->bytes[op & 1] += bytes;
	/* Growing the previous request's tail keeps the owner's stream sequential. */
	if (back && o.st && o.st->disk_next == bio->bi_iter.bi_sector)
		o.st->disk_next += bytes >> SECTOR_SHIFT;
}

static __always_inline void hist_add(struct ebtop_hist *h, __u64 ns)
{
	__u32 idx = ebtop_hist_bucket(ns);

	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
	/* The compiler knows idx is in range and would drop the check the verifier needs. */
	asm volatile("" : "+r"(idx));
	if (idx < EBTOP_HIST_BUCKETS)
		__sync_fetch_and_add(&h->b[idx], 1);
}

/* The same for a per-CPU value: no other CPU writes it. */
static __always_inline void hist_add_local(struct ebtop_hist *h, __u64 ns)
{
	__u32 idx = ebtop_hist_bucket(ns);

	h->count += 1;
	h->sum_ns += ns;
	asm volatile("" : "+r"(idx));
	if (idx < EBTOP_HIST_BUCKETS)
		h->b[idx] += 1;
}

static __always_inline struct ebtop_disk_dev *disk_entry(struct request *rq, __u32 dev)
{
	struct ebtop_disk_dev *d = bpf_map_lookup_elem(&disk_devs, &dev);
	__u32 zero = 0;

	if (d)
		return d;
	d = bpf_map_lookup_elem(&disk_dev_tmpl, &zero);
	if (!d)
		return NULL;
	/* Only name and dev are ever written to the template; the counters stay zero. */
	d->dev = dev;
	BPF_CORE_READ_STR_INTO(&d->name, rq, q, disk, disk_name);
	if (bpf_map_update_elem(&disk_devs, &dev, d, BPF_NOEXIST) == -E2BIG)
		count_error(EBTOP_ERR_DISK_DEV);
	return bpf_map_lookup_elem(&disk_devs, &dev);
}

static __always_inline struct ebtop_disk_lat *proc_entry(struct inflight *in)
{
	struct ebtop_disk_lat_key k = {.tgid = in->tgid, .pstart_ns = in->pstart_ns};
	struct ebtop_disk_lat *l = bpf_map_lookup_elem(&disk_proc_lat, &k);
	__u32 zero = 0;

	if (l)
		return l;
	l = bpf_map_lookup_elem(&disk_lat_zero, &zero);
	if (!l)
		return NULL;
	if (bpf_map_update_elem(&disk_proc_lat, &k, l, BPF_NOEXIST) == -E2BIG)
		count_error(EBTOP_ERR_DISK_PROC);
	return bpf_map_lookup_elem(&disk_proc_lat, &k);
}

static __always_inline void request_issue(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct inflight *in = bpf_map_lookup_elem(&disk_inflight, &key);

	if (!in)
		return;
	in->t_issue = bpf_ktime_get_ns();
	in->bytes = rq->__data_len;
}

/* The request ended: latency per process and per disk, bytes per disk. */
static __always_inline void request_done(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns(), q, s;
	struct ebtop_disk_lat *pl;
	struct ebtop_disk_dev *d;
	struct inflight *in = bpf_map_lookup_elem(&disk_inflight, &key);

	if (!in)
		return;
	q = now > in->t_start ? now - in->t_start : 0;
	s = in->t_issue && now > in->t_issue ? now - in->t_issue : q;
	d = disk_entry(rq, in->dev);
	if (d) {
		d->bytes[in->op & 1] += in->bytes;
		d->ios[in->op & 1] += 1;
		hist_add_local(&d->lat[in->op & 1].q, q);
		hist_add_local(&d->lat[in->op & 1].s, s);
	}
	pl = proc_entry(in);
	if (pl) {
		hist_add(&pl->q, q);
		hist_add(&pl->s, s);
	}
	bpf_map_delete_elem(&disk_inflight, &key);
}

/* Kernels with block_io_start/block_io_done (6.5+): both fire once per accounted request,
 * io_start in the submitter's context when the request is allocated. */
SEC("tp_btf/block_io_start")
int BPF_PROG(disk_io_start, struct request *rq)
{
	request_start(rq, false);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(disk_rq_issue, struct request *rq)
{
	request_issue(rq);
	return 0;
}

SEC("tp_btf/block_io_done")
int BPF_PROG(disk_io_done, struct request *rq)
{
	request_done(rq);
	return 0;
}

SEC("tp_btf/block_bio_backmerge")
int BPF_PROG(disk_bio_backmerge, struct bio *bio)
{
	bio_merged(bio, true);
	return 0;
}

SEC("tp_btf/block_bio_frontmerge")
int BPF_PROG(disk_bio_frontmerge, struct bio *bio)
{
	bio_merged(bio, false);
	return 0;
}

/*
 * Older kernels: the request is owned from block_rq_insert, or from block_rq_issue when it
 * went to the driver directly; the bytes are the request's at that point (bios that merge
 * into a queued request later are not credited), and it ends at block_rq_complete.
 */
SEC("tp_btf/block_rq_insert")
int BPF_PROG(disk_rq_insert, struct request *rq)
{
	request_start(rq, true);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(disk_rq_issue_old, struct request *rq)
{
	__u64 key = (__u64)rq;

	if (!bpf_map_lookup_elem(&disk_inflight, &key))
		request_start(rq, true);
	request_issue(rq);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(disk_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	/* Partial completions come first; the last one covers what is left. */
	if (nr_bytes < rq->__data_len)
		return 0;
	request_done(rq);
	return 0;
}

/* The dirtying thread's context: remembered so later writeback can be credited to it. */
SEC("tp_btf/writeback_dirty_folio")
int BPF_PROG(disk_dirty_folio, struct folio *folio, struct address_space *mapping)
{
	__u64 key = (__u64)mapping, id = bpf_get_current_pid_tgid();
	struct dirtier v = {.tid = (__u32)id, .tgid = id >> 32}, *old;

	if (!key || !v.tid)
		return 0;
	old = bpf_map_lookup_elem(&disk_dirtier, &key);
	if (old && old->tid == v.tid)
		return 0; /* the common case: the same writer, no update */
	if (bpf_get_current_task_btf()->flags & PF_KTHREAD)
		return 0;
	bpf_map_update_elem(&disk_dirtier, &key, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
