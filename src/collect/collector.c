// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF collector: probe, open, configure, load, attach; then one read per interval. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/collector.h"
#include "collect/iter.h"
#include "collect/loader.h"
#include "collect/disk.h"
#include "collect/conn.h"
#include "collect/procfs.h"
#include "collect/sched.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/testable.h"

struct collector {
	struct ebtop_bpf *skel;
	struct ring_buffer *rb;
	struct user_cache *users;
	int stats_fd; /* holds BPF_ENABLE_STATS while open */
	int ncpus;
	unsigned online_cpus;
	unsigned avail;
	uint64_t start_mono_ns;
	uint64_t ticks_per_sec;
	struct loader ld;
	struct features fs;
	char status[1024];	     /* features_status(fs) */
	struct ebtop_task_rec *recs; /* this interval's records */
	size_t nrecs;
	size_t cap;
	int rb_error;
	uint64_t last_cpu_ns; /* ebtop's own CPU time at the previous sample */
	uint64_t last_mono_ns;
	struct prog_cost progs[MAX_PROGS];
	int nprogs;
	struct disk_reader disk;
	struct conn_reader *conn; /* NULL without NEED_CONN */
};

static int grow_recs(struct collector *c, size_t need)
{
	size_t cap = c->cap ? c->cap : 1024;
	struct ebtop_task_rec *p;

	if (need <= c->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(c->recs, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->recs = p;
	c->cap = cap;
	return 0;
}

/*
 * Adds a tail (what a thread did after its exit record, up to its last
 * switch) to that exit record. It follows the record closely, so the search
 * runs back over this interval's exit records only. False when the record
 * went with an earlier sample: the tail, a fraction of a millisecond, is
 * dropped rather than counted for a process already shown as exited.
 */
TESTABLE bool exit_tail_apply(struct ebtop_task_rec *recs, size_t n, const struct ebtop_tail_rec *t)
{
	for (size_t i = n; i-- > 0 && recs[i].kind == EBTOP_REC_EXIT;) {
		struct ebtop_sched_counters *d = &recs[i].st.sched;

		if (recs[i].tid != t->tid || recs[i].start_ns != t->start_ns)
			continue;
		d->oncpu_ns += t->sched.oncpu_ns;
		d->runq_ns += t->sched.runq_ns;
		d->offcpu_ns += t->sched.offcpu_ns;
		d->nvcsw += t->sched.nvcsw;
		d->nivcsw += t->sched.nivcsw;
		d->migrations += t->sched.migrations;
		return true;
	}
	return false;
}

static int on_exit_rec(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;

	if (size == sizeof(struct ebtop_tail_rec) && *(const __u32 *)data == EBTOP_REC_TAIL) {
		exit_tail_apply(c->recs, c->nrecs, data);
		return 0;
	}
	if (size < sizeof(struct ebtop_task_rec))
		return 0;
	if (grow_recs(c, c->nrecs + 1)) {
		c->rb_error = -ENOMEM;
		return -ENOMEM;
	}
	memcpy(&c->recs[c->nrecs++], data, sizeof(struct ebtop_task_rec));
	return 0;
}

/* Which features are wanted, from what the consumers need. */
static void features_want(struct features *fs, const struct collect_opts *o)
{
	static const struct {
		unsigned need;
		enum feature f;
	} wants[] = {
	    {NEED_NET | NEED_CONN | NEED_EVENTS, FEAT_NET}, /* connections are counted there */
	    {NEED_CONN | NEED_EVENTS, FEAT_CONN},
	    {NEED_CONN | NEED_EVENTS, FEAT_CONN_RESETS},
	    {NEED_CONN | NEED_EVENTS, FEAT_CONN_SEED},
	    {NEED_CONN | NEED_EVENTS, FEAT_CONN_OWNERS},
	    {NEED_CONN | NEED_EVENTS, FEAT_UDP_PEERS},
	    {NEED_EVENTS, FEAT_EXEC},
	    {NEED_SCHED, FEAT_SCHED},
	    {NEED_DISK, FEAT_DISK},
	    {NEED_DISK, FEAT_WRITEBACK},
	};

	memset(fs, 0, sizeof(*fs));
	fs->f[FEAT_TASKS].wanted = true;
	fs->f[FEAT_BPF_STATS].wanted = o->bpf_stats;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
		if (o->need & wants[i].need)
			fs->f[wants[i].f].wanted = true;
}

/*
 * The network hooks, best first: the sock tracepoints (6.3+), fexit on the
 * address families' sendmsg/recvmsg, kprobes on the same. EBTOP_NET_HOOKS=
 * fexit or kprobe starts further down the list (to test and time them).
 */
static enum hookset net_select(struct ebtop_bpf *skel, const struct select_ctx *sc, bool want)
{
	static const char *const funcs_needed[] = {"inet_sendmsg", "inet6_sendmsg", "inet_recvmsg",
						   "inet6_recvmsg"};
	const char *force = getenv("EBTOP_NET_HOOKS");
	bool funcs = true, tp = kernel_has_tracepoint(sc->vmlinux, "sock_send_length") &&
				kernel_has_tracepoint(sc->vmlinux, "sock_recv_length");
	bool fx;
	enum hookset hs = HS_NUM;
	struct bpf_program *prog;

	for (size_t i = 0; i < sizeof(funcs_needed) / sizeof(funcs_needed[0]); i++)
		funcs = funcs && kernel_has_function(sc->vmlinux, funcs_needed[i]);
	fx = funcs;
	if (force && (!strcmp(force, "fexit") || !strcmp(force, "kprobe")))
		tp = false;
	if (force && !strcmp(force, "kprobe"))
		fx = false;
	if (!want)
		hs = HS_NUM;
	else if (tp && !loader_refused(sc->ld, HS_NET_TP))
		hs = HS_NET_TP;
	else if (fx && !loader_refused(sc->ld, HS_NET_FEXIT))
		hs = HS_NET_FEXIT;
	else if (funcs && !loader_refused(sc->ld, HS_NET_KPROBE))
		hs = HS_NET_KPROBE;
	else if (!funcs && !tp)
		features_say(sc->fs, FEAT_NET, true,
			     "network bytes unavailable: this kernel has neither the "
			     "sock:sock_send_length/sock_recv_length tracepoints nor "
			     "inet_sendmsg/inet_recvmsg to hook");
	bpf_object__for_each_program(prog, skel->obj)
	{
		int h = hookset_of(bpf_program__name(prog));

		if (h == HS_NET_TP || h == HS_NET_FEXIT || h == HS_NET_KPROBE)
			bpf_program__set_autoload(prog, h == (int)hs);
	}
	/* inet_sendpage went with sendpage itself (6.5): sendfile then goes through sendmsg. */
	if (hs != HS_NUM && !kernel_has_function(sc->vmlinux, "inet_sendpage")) {
		bpf_program__set_autoload(skel->progs.net_fx_sendpage, false);
		bpf_program__set_autoload(skel->progs.net_kp_sendpage, false);
		bpf_program__set_autoload(skel->progs.net_kp_sendpage_ret, false);
	}
	return hs;
}

/*
 * The per-CPU slot table is read per thread with bpf_loop (5.17) and
 * bpf_map_lookup_percpu_elem (5.19); where either is missing (or the task
 * walk using them was refused), every thread counts in task storage.
 * EBTOP_NET_SLOTS=off does the same, to test it.
 */
static bool net_slots_usable(const struct select_ctx *sc)
{
	const char *force = getenv("EBTOP_NET_SLOTS");

	if (loader_refused(sc->ld, HS_NET_SLOTS))
		return false; /* the loader says why */
	if (force && !strcmp(force, "off")) {
		features_say(sc->fs, FEAT_NET, false,
			     "network bytes counted in task storage (EBTOP_NET_SLOTS=off)");
		return false;
	}
	/* Both are base helpers: what a raw_tp program may call, tracing programs may too. */
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL) > 0 &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_map_lookup_percpu_elem,
				    NULL) > 0)
		return true;
	features_say(sc->fs, FEAT_NET, false,
		     "network bytes counted in task storage (about 45 ns more per event): this "
		     "kernel lacks bpf_loop or bpf_map_lookup_percpu_elem");
	return false;
}

/* Switches off programs whose hooks are missing, refused or not needed, and says what that costs.
 */
static int select_programs(struct collector *c, const struct collect_opts *o)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct select_ctx sc = {.vmlinux = vmlinux, .ld = &c->ld, .fs = &c->fs};
	enum hookset net;
	int err;

	features_want(&c->fs, o);
	c->skel->rodata->net_use_slots = net_slots_usable(&sc);
	net = net_select(c->skel, &sc, c->fs.f[FEAT_NET].wanted);
	disk_select(c->skel, &sc, (o->need & NEED_DISK) != 0);
	sched_configure(c->skel, &sc, (o->need & NEED_SCHED) != 0);
	/* Per-connection counting needs the socket itself, which kprobes do not give. */
	err = conn_reader_configure(&c->conn, c->skel, o, &sc, net);
	btf__free(vmlinux);
	return err;
}

static int read_tasks(struct collector *c);

static double self_cpu_pct(struct collector *c, uint64_t now)
{
	struct rusage ru;
	uint64_t cpu, dt = now - c->last_mono_ns;
	double pct;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NSEC_PER_SEC +
	      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	pct = dt ? 100.0 * (double)(cpu - c->last_cpu_ns) / (double)dt : 0;
	c->last_cpu_ns = cpu;
	c->last_mono_ns = now;
	return pct;
}

/* Opens the object and configures it: sizes, rodata, and which programs load. */
static int open_configure(struct collector *c, const struct collect_opts *o, char *msg, size_t len)
{
	int err;

	c->avail = 0;
	c->skel = ebtop_bpf__open();
	if (!c->skel) {
		err = -errno;
		snprintf(msg, len, "BPF object could not be opened: %s", strerror(-err));
		return err;
	}
	c->skel->rodata->nr_cpus = (__u32)c->ncpus;
	c->skel->rodata->net_nslots = o->net_slots ? o->net_slots : 4096;
	bpf_map__set_max_entries(c->skel->maps.net_slots, c->skel->rodata->net_nslots);
	bpf_map__set_max_entries(c->skel->maps.exits,
				 (o->ringbuf_kb ? o->ringbuf_kb : 4096) * 1024);
	disk_configure(c->skel, o);
	c->skel->rodata->start_boot_ns = clock_boot_ns();
	return select_programs(c, o);
}

/* What runs, as the consumers' NEED_* bits. */
static unsigned avail_from_features(const struct features *fs, unsigned need)
{
	unsigned avail = 0;

	if (fs->f[FEAT_NET].on)
		avail |= need & NEED_NET;
	if (fs->f[FEAT_CONN].on)
		avail |= need & (NEED_CONN | NEED_EVENTS);
	if (fs->f[FEAT_SCHED].on)
		avail |= NEED_SCHED;
	if (fs->f[FEAT_DISK].on)
		avail |= NEED_DISK;
	return avail;
}

/*
 * Loads what the kernel allows: each refusal (verifier, EPERM, a missing
 * hook, an attach that fails) drops the refused program's hook set, and the
 * object is opened again without it, with the next alternative where there
 * is one. Each round refuses a new hook set, so this ends.
 */
static int load_what_runs(struct collector *c, const struct collect_opts *o, char *msg, size_t len)
{
	int err;

	loader_init(&c->ld, o->verbose);
	/* Each round refuses a new hook set; the bound holds even if that ever stopped being so. */
	for (int round = 0;; round++) {
		if (round > HS_NUM) {
			snprintf(msg, len, "BPF programs could not be loaded: the kernel refused "
					   "one after another (run with -v for libbpf's log)");
			return -ELOOP;
		}
		err = open_configure(c, o, msg, len);
		if (err)
			return err;
		err = loader_load_attach(&c->ld, c->skel, msg, len);
		if (err != -EAGAIN)
			break;
		conn_reader_free(c->conn);
		c->conn = NULL;
		ebtop_bpf__destroy(c->skel);
		c->skel = NULL;
	}
	if (err)
		return err;
	loader_features(&c->ld, c->skel, &c->fs);
	return 0;
}

int collector_open(struct collector **out, const struct collect_opts *o, char *msg, size_t len)
{
	struct collector *c;
	int err;

	*out = NULL;
	msg[0] = '\0';
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(
		    msg, len,
		    "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): ebtop needs a "
		    "kernel built with CONFIG_DEBUG_INFO_BTF");
		return -ENOTSUP;
	}
	if (!loader_privileged()) {
		snprintf(msg, len,
			 "loading BPF programs needs root, or CAP_BPF and CAP_PERFMON: "
			 "this process has neither");
		return -EPERM;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->stats_fd = -1;
	c->ticks_per_sec = (uint64_t)sysconf(_SC_CLK_TCK);
	c->ncpus = libbpf_num_possible_cpus();
	c->online_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	c->disk.ncpus = c->ncpus;
	c->users = user_cache_new();
	if (c->ncpus <= 0 || !c->users) {
		err = -ENOMEM;
		goto fail;
	}
	if (c->ncpus > EBTOP_MAX_CPUS) {
		snprintf(msg, len, "this machine has %d CPUs; ebtop supports at most %d", c->ncpus,
			 EBTOP_MAX_CPUS);
		err = -E2BIG;
		goto fail;
	}
	err = load_what_runs(c, o, msg, len);
	if (err)
		goto fail;
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.exits), on_exit_rec, c, NULL);
	if (!c->rb) {
		err = -errno;
		snprintf(msg, len, "ring buffer could not be set up: %s", strerror(-err));
		goto fail;
	}
	if (!c->fs.f[FEAT_CONN].on) {
		conn_reader_free(c->conn);
		c->conn = NULL;
	}
	err = conn_reader_attach(c->conn, c->rb, &c->fs);
	if (err) {
		snprintf(msg, len, "connection tracking could not be set up: %s", strerror(-err));
		goto fail;
	}
	if (o->bpf_stats) {
		c->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		c->fs.f[FEAT_BPF_STATS].on = c->stats_fd >= 0;
		if (c->stats_fd < 0)
			features_say(&c->fs, FEAT_BPF_STATS, true,
				     "BPF run-time statistics unavailable (%s)", strerror(errno));
	}
	features_derive(&c->fs);
	c->avail = avail_from_features(&c->fs, o->need);
	features_status(&c->fs, c->status, sizeof(c->status));
	/* One discarded walk: threads older than ebtop get their file-byte baseline now. */
	err = read_tasks(c);
	if (err) {
		snprintf(msg, len, "the task iterator failed: %s", strerror(-err));
		goto fail;
	}
	c->nrecs = 0;
	c->start_mono_ns = clock_mono_ns();
	/* Baseline: loading the programs is not part of the first interval's cost. */
	self_cpu_pct(c, c->start_mono_ns);
	sched_start(c->skel, c->start_mono_ns);
	/* Degraded but running: the caller shows this sentence once. */
	snprintf(msg, len, "%s", c->status);
	*out = c;
	return 0;
fail:
	collector_close(c);
	return err < 0 ? err : -EINVAL;
}

void collector_close(struct collector *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	conn_reader_free(c->conn);
	ebtop_bpf__destroy(c->skel);
	if (c->stats_fd >= 0)
		close(c->stats_fd);
	user_cache_free(c->users);
	disk_reader_free(&c->disk);
	free(c->recs);
	free(c);
}

uint64_t collector_start_ns(const struct collector *c)
{
	return c->start_mono_ns;
}

/* One pass of the task iterator: every thread's record, appended to c->recs. */
static int read_tasks(struct collector *c)
{
	return iter_read_all(c->skel->links.dump_task, (void **)&c->recs, &c->cap, sizeof(*c->recs),
			     &c->nrecs);
}

int collector_poll_events(struct collector *c, int timeout_ms, const struct event **ev, size_t *n)
{
	int err = conn_reader_begin(c->conn, false);

	*ev = NULL;
	*n = 0;
	if (err)
		return err;
	if (!c->conn)
		return -ENOTSUP;
	c->rb_error = 0;
	err = ring_buffer__poll(c->rb, timeout_ms);
	/* A ring the wakeup skipped (the kernel signals only a consumer that caught up). */
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(c->rb);
	/* Nobody reads exit records in this mode. */
	c->nrecs = 0;
	if (err < 0 && err != -EINTR)
		return c->rb_error ? c->rb_error : err;
	conn_reader_events(c->conn, ev, n);
	return 0;
}

uint64_t collector_prog_misses(struct collector *c)
{
	struct bpf_program *prog;
	uint64_t n = 0;

	bpf_object__for_each_program(prog, c->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);
		int fd = bpf_program__fd(prog);

		const char *name = bpf_program__name(prog);

		/* The programs events come from: connections and the network hooks. */
		if (strncmp(name, "conn_", 5) && strncmp(name, "net_", 4))
			continue;
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen))
			n += info.recursion_misses;
	}
	return n;
}

unsigned collector_avail(const struct collector *c)
{
	return c->avail;
}

const char *collector_status(const struct collector *c)
{
	return c->status;
}

const struct features *collector_features(const struct collector *c)
{
	return &c->fs;
}

static void read_errors(struct collector *c, uint64_t *errors)
{
	uint64_t vals[c->ncpus];

	for (__u32 i = 0; i < EBTOP_NERR; i++) {
		errors[i] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.errors), &i, vals))
			continue;
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			errors[i] += vals[cpu];
	}
}

void collector_errors(struct collector *c, uint64_t *errors)
{
	read_errors(c, errors);
}

/* The kernel's own timing of each loaded program (bpf_stats), per event over the interval. */
static void read_costs(struct collector *c, struct sample *s)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, c->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);
		struct prog_cost *pc;
		int fd = bpf_program__fd(prog);

		if (fd < 0 || n >= MAX_PROGS || bpf_obj_get_info_by_fd(fd, &info, &ilen))
			continue;
		pc = &c->progs[n++];
		if (pc->run_cnt && info.run_cnt > pc->run_cnt)
			pc->ns_per_event = (double)(info.run_time_ns - pc->run_time_ns) /
					   (double)(info.run_cnt - pc->run_cnt);
		else
			pc->ns_per_event = NAN;
		snprintf(pc->name, sizeof(pc->name), "%s", bpf_program__name(prog));
		pc->run_cnt = info.run_cnt;
		pc->run_time_ns = info.run_time_ns;
		pc->missed = info.recursion_misses;
	}
	c->nprogs = n;
	memcpy(s->progs, c->progs, sizeof(c->progs[0]) * (size_t)n);
	s->nprogs = n;
}

int collector_sample(struct collector *c, struct sample *s)
{
	uint64_t boot_off;
	int err;

	memset(s, 0, sizeof(*s));
	s->mono_ns = clock_mono_ns();
	s->wall_ns = clock_wall_ns();
	boot_off = clock_boot_ns() - s->mono_ns;
	err = read_tasks(c);
	if (err)
		return err;
	/*
	 * The counters (and the running stretches added to them) are as of the walk, which on a
	 * busy machine can start milliseconds after the clock above was read: time the sample
	 * by the walk's first record, so rates divide by the interval they were counted over.
	 */
	if (c->nrecs && c->recs[0].now_ns > boot_off && c->recs[0].now_ns - boot_off > s->mono_ns) {
		uint64_t lag = c->recs[0].now_ns - boot_off - s->mono_ns;

		s->mono_ns += lag;
		s->wall_ns += lag;
	}
	err = conn_reader_begin(c->conn, true);
	if (err)
		return err;
	/* Exit records after the walk: a thread seen live and then exiting keeps the final one. */
	c->rb_error = 0;
	if (ring_buffer__consume(c->rb) < 0 && !c->rb_error)
		return -EIO;
	if (c->rb_error)
		return c->rb_error;
	if (c->avail & NEED_DISK) {
		err = disk_read(&c->disk, c->skel, s, c->recs, c->nrecs);
		if (err)
			return err;
		if (grow_recs(c, c->nrecs + 1))
			return -ENOMEM;
		if (disk_kernel_rec(&c->disk, c->skel, &c->recs[c->nrecs]))
			c->nrecs++;
	}
	err = conn_reader_finish(c->conn, s);
	if (err)
		return err;
	read_errors(c, s->errors);
	read_costs(c, s);
	s->recs = c->recs;
	s->nrecs = c->nrecs;
	s->avail = c->avail;
	s->ncpus = c->online_cpus;
	s->status = c->status;
	s->features = &c->fs;
	s->self_cpu_pct = self_cpu_pct(c, s->mono_ns);
	return 0;
}

struct proc_info *collector_proc_info(void *ctx, uint32_t pid, uint64_t start_ns, uint32_t uid)
{
	struct collector *c = ctx;
	char path[64], buf[4096], cg[512], *cmd = NULL;
	const char *cgp;
	size_t cglen = 0;
	ssize_t n;
	uint64_t ticks;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0)
		return proc_info_new(NULL, NULL, user_cache_name(c->users, uid)); /* gone already */
	/* The pid may have been reused since the kernel reported it. */
	ticks = procfs_parse_starttime(buf);
	if (c->ticks_per_sec &&
	    llabs((long long)ticks - (long long)(start_ns / (NSEC_PER_SEC / c->ticks_per_sec))) > 1)
		return proc_info_new(NULL, NULL, user_cache_name(c->users, uid));
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	cg[0] = '\0';
	if (procfs_read(path, cg, sizeof(cg)) > 0 && (cgp = procfs_parse_cgroup(cg, &cglen))) {
		memmove(cg, cgp, cglen);
		cg[cglen] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = procfs_read(path, buf, sizeof(buf));
	if (n > 0) {
		procfs_join_cmdline(buf, (size_t)n);
		cmd = buf;
	}
	return proc_info_new(cmd, cg[0] ? cg : NULL, user_cache_name(c->users, uid));
}
