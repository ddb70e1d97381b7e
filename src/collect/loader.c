// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loading BPF programs feature by feature: refusals recorded, explained and worked around. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/loader.h"
#include "collect/procfs.h"
#include "core/log.h"
#include "core/testable.h"

static const struct {
	enum feature feat;
	const char *how;
} hooksets[HS_NUM] = {
    [HS_TASKS] = {FEAT_TASKS, "iter/task"},
    [HS_NET_SLOTS] = {FEAT_NET, "per-CPU slots"},
    [HS_NET_TP] = {FEAT_NET, "tp_btf"},
    [HS_NET_FEXIT] = {FEAT_NET, "fexit"},
    [HS_NET_KPROBE] = {FEAT_NET, "kprobe"},
    [HS_CONN] = {FEAT_CONN, "iter/tcp"},
    [HS_CONN_RESETS] = {FEAT_CONN_RESETS, "tp_btf"},
    [HS_CONN_SEED] = {FEAT_CONN_SEED, "iter/tcp"},
    [HS_CONN_OWNERS] = {FEAT_CONN_OWNERS, "iter/task_file"},
    [HS_UDP_PEERS] = {FEAT_UDP_PEERS, "cgroup"},
    [HS_EXEC] = {FEAT_EXEC, "tp_btf"},
    [HS_SCHED_BTF] = {FEAT_SCHED, "tp_btf"},
    [HS_SCHED_RAW] = {FEAT_SCHED, "raw_tp"},
    [HS_DISK_IO] = {FEAT_DISK, "block_io"},
    [HS_DISK_RQ] = {FEAT_DISK, "block_rq"},
    [HS_WRITEBACK] = {FEAT_WRITEBACK, "tp_btf"},
};

/* Every program of the object, by name; a trailing '*' matches a prefix. First match wins. */
static const struct {
	const char *name;
	enum hookset hs;
} programs[] = {
    {"dump_task", HS_TASKS},
    {"task_exit", HS_TASKS},
    {"net_send", HS_NET_TP},
    {"net_recv", HS_NET_TP},
    {"net_fx_*", HS_NET_FEXIT},
    {"net_kp_*", HS_NET_KPROBE},
    {"conn_state_change", HS_CONN},
    {"conn_destroy", HS_CONN},
    {"conn_dump_tcp", HS_CONN},
    {"conn_dump_udp", HS_CONN},
    {"conn_rst_*", HS_CONN_RESETS},
    {"conn_seed_tcp", HS_CONN_SEED},
    {"conn_seed_owner", HS_CONN_OWNERS},
    {"conn_udp_*", HS_UDP_PEERS},
    {"conn_exec", HS_EXEC},
    {"sched_*_raw", HS_SCHED_RAW},
    {"sched_*", HS_SCHED_BTF},
    {"disk_io_start", HS_DISK_IO},
    {"disk_rq_issue", HS_DISK_IO},
    {"disk_io_done", HS_DISK_IO},
    {"disk_bio_*", HS_DISK_IO},
    {"disk_rq_insert", HS_DISK_RQ},
    {"disk_rq_issue_old", HS_DISK_RQ},
    {"disk_rq_complete", HS_DISK_RQ},
    {"disk_dirty_folio", HS_WRITEBACK},
};

/* A '*' inside a pattern matches any run of characters (one star at most). */
TESTABLE bool name_matches(const char *pat, const char *name)
{
	const char *star = strchr(pat, '*');
	size_t pre, post, n = strlen(name);

	if (!star)
		return !strcmp(pat, name);
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	return n >= pre + post && !strncmp(pat, name, pre) && !strcmp(star + 1, name + n - post);
}

int hookset_of(const char *prog)
{
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (name_matches(programs[i].name, prog))
			return (int)programs[i].hs;
	return -1;
}

enum feature hookset_feature(enum hookset hs)
{
	return hooksets[hs].feat;
}

const char *hookset_how(enum hookset hs)
{
	return hooksets[hs].how;
}

void loader_init(struct loader *ld, bool verbose)
{
	const char *inject = getenv("EBTOP_REFUSE");

	memset(ld, 0, sizeof(*ld));
	ld->verbose = verbose;
	if (inject)
		snprintf(ld->inject, sizeof(ld->inject), ",%s,", inject);
}

bool loader_refused(const struct loader *ld, enum hookset hs)
{
	return (ld->refused >> hs) & 1;
}

bool kernel_has_tracepoint(const struct btf *vmlinux, const char *name)
{
	char type[128];

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return vmlinux && btf__find_by_name_kind(vmlinux, type, BTF_KIND_TYPEDEF) > 0;
}

bool kernel_has_function(const struct btf *vmlinux, const char *name)
{
	return vmlinux && btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
}

/*
 * What libbpf said while loading: the program it failed on and the last line
 * of the verifier's log. libbpf's print callback takes no context, so the
 * capture is reached through this pointer, set only around one load.
 */
struct capture {
	char prog[32];
	char last[160];
};
#ifdef EBTOP_TESTING
void capture_message(struct capture *cap, const char *m);
bool name_matches(const char *pat, const char *name);
#endif

static struct capture *capture;

/*
 * The verifier's reason: the last line of its log that ends at end, past the
 * statistics it appends ("processed N insns ...", "verification time ...").
 */
static void last_line(const char *log, const char *end, char *out, size_t len)
{
	static const char *const stats[] = {"processed ", "verification time", "stack depth"};
	const char *e = end, *b;

	out[0] = '\0';
	for (;;) {
		bool stat = false;

		while (e > log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		if (e == log)
			return;
		b = e;
		while (b > log && b[-1] != '\n')
			b--;
		for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
			stat |= !strncmp(b, stats[i], strlen(stats[i]));
		if (!stat)
			break;
		e = b;
	}
	snprintf(out, len, "%.*s", (int)(e - b), b);
}

TESTABLE void capture_message(struct capture *cap, const char *m)
{
	const char *p = strstr(m, "prog '"), *q, *log, *end;

	if (!p || !(q = strchr(p + 6, '\'')))
		return;
	log = strstr(q, "-- BEGIN PROG LOAD LOG --\n");
	if (log && (end = strstr(log, "-- END PROG LOAD LOG --"))) {
		last_line(log + 26, end, cap->last, sizeof(cap->last));
		return;
	}
	/* The first program libbpf gave up on: "load failed", "failed to find ... BTF". */
	if (!cap->prog[0] && (strstr(q, "failed to") || strstr(q, "load failed")))
		snprintf(cap->prog, sizeof(cap->prog), "%.*s", (int)(q - p - 6), p + 6);
}

/* libbpf's log is for developers: shown with -v only. Refusals are captured either way. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;
	char *m = NULL;

	if (capture && level == LIBBPF_WARN) {
		va_copy(copy, ap);
		if (vasprintf(&m, fmt, copy) >= 0)
			capture_message(capture, m);
		va_end(copy);
		free(m);
	}
	if (level == LIBBPF_DEBUG && log_get_level() < LOG_DEBUG)
		return 0;
	if (log_get_level() < LOG_INFO)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Records hs as refused: prog, the errno and the kernel's words (may be empty). */
static void refuse(struct loader *ld, enum hookset hs, const char *prog, int err, const char *words)
{
	struct refusal *r = &ld->ref[hs];

	ld->refused |= 1ul << hs;
	r->err = err;
	snprintf(r->prog, sizeof(r->prog), "%s", prog);
	snprintf(r->words, sizeof(r->words), "%s%s%s", strerror(-err), words[0] ? ", " : "", words);
	log_info("%s (%s) refused: %s\n", prog, hooksets[hs].how, r->words);
}

/* A name in EBTOP_REFUSE that is no program would let a test pass without testing anything. */
static void check_inject(const struct loader *ld, struct ebtop_bpf *skel)
{
	char name[64];

	for (const char *p = ld->inject; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (name[0] && !bpf_object__find_program_by_name(skel->obj, name))
			log_warn("EBTOP_REFUSE: no BPF program is named '%s'\n", name);
		p += n + (p[n] == ',');
	}
}

/* A program named in EBTOP_REFUSE that is about to load, or NULL. */
static const char *injected(const struct loader *ld, struct ebtop_bpf *skel)
{
	struct bpf_program *prog;
	char key[40];

	if (!ld->inject[0])
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);

		snprintf(key, sizeof(key), ",%s,", name);
		if (bpf_program__autoload(prog) && strstr(ld->inject, key))
			return name;
	}
	return NULL;
}

/* A refusal of a hook set the rest can run without; a final error for the rest. */
static int refused_or_final(struct loader *ld, const char *prog, int err, const char *words,
			    char *msg, size_t len)
{
	int hs = prog[0] ? hookset_of(prog) : -1;

	/* The task walk reads per-CPU slots with helpers older kernels lack: then without them. */
	if (hs == HS_TASKS && ld->slots && !loader_refused(ld, HS_NET_SLOTS)) {
		refuse(ld, HS_NET_SLOTS, prog, err, words);
		return -EAGAIN;
	}
	if (hs < 0 || loader_refused(ld, (enum hookset)hs)) {
		snprintf(msg, len,
			 "BPF programs could not be loaded: %s%s%s (run with -v for libbpf's log)",
			 strerror(-err), words[0] ? ": " : "", words);
		return err;
	}
	refuse(ld, (enum hookset)hs, prog, err, words);
	if (hs == HS_TASKS) {
		snprintf(msg, len,
			 "nothing to run: the kernel refused the task iterator every view needs "
			 "(%s: %s)",
			 prog, ld->ref[hs].words);
		return err;
	}
	return -EAGAIN;
}

static int attach_all(struct loader *ld, struct ebtop_bpf *skel, char *msg, size_t len)
{
	const struct bpf_object_skeleton *s = skel->skeleton;

	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;
		struct bpf_link **link = s->progs[i].link;
		int err;

		if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog) || *link)
			continue;
		*link = bpf_program__attach(prog);
		if (*link)
			continue;
		err = -errno;
		*link = NULL;
		return refused_or_final(ld, bpf_program__name(prog), err ? err : -EINVAL,
					"could not attach", msg, len);
	}
	return 0;
}

int loader_load_attach(struct loader *ld, struct ebtop_bpf *skel, char *msg, size_t len)
{
	struct capture cap = {};
	const char *inject = injected(ld, skel);
	int err;

	libbpf_set_print(libbpf_print);
	ld->slots = skel->rodata->net_use_slots;
	if (ld->inject[0] && !ld->refused)
		check_inject(ld, skel); /* once: the first round has refused nothing yet */
	/* Refused as the kernel would refuse it, before anything is loaded. */
	if (inject)
		return refused_or_final(ld, inject, -EPERM, "EBTOP_REFUSE", msg, len);
	capture = &cap;
	err = ebtop_bpf__load(skel);
	capture = NULL;
	if (err)
		return refused_or_final(ld, cap.prog, err, cap.last, msg, len);
	return attach_all(ld, skel, msg, len);
}

void loader_features(const struct loader *ld, struct ebtop_bpf *skel, struct features *fs)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
	{
		int hs = hookset_of(bpf_program__name(prog));
		struct feature_state *st;

		if (hs < 0 || !bpf_program__autoload(prog) || bpf_program__fd(prog) < 0)
			continue;
		st = &fs->f[hooksets[hs].feat];
		st->on = true;
		snprintf(st->how, sizeof(st->how), "%s", hooksets[hs].how);
	}
	/* One sentence per feature, naming every refused program with the kernel's words. */
	for (int f = 0; f < FEAT_NUM; f++) {
		const struct feature_state *st = &fs->f[f];
		char list[400] = "";
		size_t used = 0;

		for (int hs = 0; hs < HS_NUM; hs++) {
			const struct refusal *r = &ld->ref[hs];

			if (hooksets[hs].feat != (enum feature)f ||
			    !loader_refused(ld, (enum hookset)hs) || used + 1 >= sizeof(list))
				continue;
			used +=
			    (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (%s: %s)",
					     used ? ", " : "", r->prog, hooksets[hs].how, r->words);
		}
		if (!list[0])
			continue;
		if (st->on)
			features_say(fs, (enum feature)f, false,
				     "%s through %s: the kernel refused %s", feature_descs[f].title,
				     st->how, list);
		else
			features_say(fs, (enum feature)f, true,
				     "%s unavailable: the kernel refused %s",
				     feature_descs[f].title, list);
	}
}

bool loader_privileged(void)
{
	char buf[4096];
	const char *p;
	unsigned long long caps;

	if (procfs_read("/proc/self/status", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "CapEff:")) || sscanf(p + 7, "%llx", &caps) != 1)
		return true; /* cannot tell: let the kernel decide */
	/* CAP_SYS_ADMIN (21), or CAP_BPF (39) with CAP_PERFMON (38). */
	return (caps >> 21 & 1) || ((caps >> 39 & 1) && (caps >> 38 & 1));
}
