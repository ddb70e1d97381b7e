// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Scheduler programs: tp_btf or raw_tp chosen by probing, slot table sized from pid_max. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/loader.h"
#include "collect/procfs.h"
#include "collect/sched.h"
#include "core/log.h"

#define SLOTS_MIN 1024u
#define SLOTS_MAX 65536u /* 4 MiB; beyond, colliding threads use task storage */

/* One hook, in both flavours; `needed`: without it the columns would be wrong, not just poorer. */
struct sched_hook {
	const char *tp;
	bool needed;
	struct bpf_program *btf_prog;
	struct bpf_program *raw_prog;
};

/* A program that returns 0, loaded and attached to tp for a moment: does this flavour work here? */
static bool probe_attach(const struct btf *vmlinux, const char *tp, bool use_btf)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	char type[128];
	int fd, link, id = 0;

	if (use_btf) {
		snprintf(type, sizeof(type), "btf_trace_%s", tp);
		id = vmlinux ? btf__find_by_name_kind(vmlinux, type, BTF_KIND_TYPEDEF) : -1;
		if (id <= 0)
			return false;
		opts.expected_attach_type = BPF_TRACE_RAW_TP;
		opts.attach_btf_id = (__u32)id;
	}
	fd = bpf_prog_load(use_btf ? BPF_PROG_TYPE_TRACING : BPF_PROG_TYPE_RAW_TRACEPOINT, NULL,
			   "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd < 0) {
		log_info("sched: %s %s does not load\n", use_btf ? "tp_btf" : "raw_tp", tp);
		return false;
	}
	link = bpf_raw_tracepoint_open(use_btf ? NULL : tp, fd);
	close(fd);
	if (link < 0) {
		log_info("sched: %s %s does not attach\n", use_btf ? "tp_btf" : "raw_tp", tp);
		return false;
	}
	close(link);
	return true;
}

/* Does the kernel's struct sched_info have last_queued (CONFIG_SCHED_INFO)? */
static bool kernel_stamps_enqueue(const struct btf *vmlinux)
{
	const struct btf_type *t;
	const struct btf_member *m;
	int id = vmlinux ? btf__find_by_name_kind(vmlinux, "sched_info", BTF_KIND_STRUCT) : -1;

	if (id <= 0)
		return false;
	t = btf__type_by_id(vmlinux, (__u32)id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(vmlinux, m->name_off);

		if (name && !strcmp(name, "last_queued"))
			return true;
	}
	return false;
}

/* A power of two that covers every pid, within bounds: then no two threads share a slot. */
static unsigned slots_for_pid_max(void)
{
	char buf[32];
	unsigned long pid_max = 32768;
	unsigned n = SLOTS_MIN;
	const char *force = getenv("EBTOP_SCHED_SLOTS"); /* a smaller table, to test collisions */

	if (force && strtoul(force, NULL, 10) >= 64) {
		for (n = 64; n * 2 <= strtoul(force, NULL, 10) && n < SLOTS_MAX;)
			n *= 2;
		return n;
	}
	if (procfs_read("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0)
		pid_max = strtoul(buf, NULL, 10);
	while (n < SLOTS_MAX && n < pid_max)
		n *= 2;
	return n;
}

bool sched_configure(struct ebtop_bpf *skel, const struct select_ctx *sc, bool want)
{
	const struct btf *vmlinux = sc->vmlinux;
	char note[192];
	size_t len = sizeof(note);
	struct sched_hook hooks[] = {
	    {"sched_switch", true, skel->progs.sched_switch, skel->progs.sched_switch_raw},
	    {"sched_wakeup", true, skel->progs.sched_wakeup, skel->progs.sched_wakeup_raw},
	    {"sched_wakeup_new", true, skel->progs.sched_wakeup_new,
	     skel->progs.sched_wakeup_new_raw},
	    {"sched_migrate_task", false, skel->progs.sched_migrate, skel->progs.sched_migrate_raw},
	    {"sched_process_fork", false, skel->progs.sched_fork, skel->progs.sched_fork_raw},
	    {"sched_process_exec", false, skel->progs.sched_exec, skel->progs.sched_exec_raw},
	};
	size_t n = sizeof(hooks) / sizeof(hooks[0]);
	bool use_btf = false, ok = want;
	char missing[128] = "";

	note[0] = '\0';
	if (ok) {
		/* One flavour for all. EBTOP_SCHED_RAW_TP=1 forces raw_tp (to test and time it). */
		use_btf = !getenv("EBTOP_SCHED_RAW_TP") && !loader_refused(sc->ld, HS_SCHED_BTF) &&
			  probe_attach(vmlinux, "sched_switch", true);
		if (!use_btf && loader_refused(sc->ld, HS_SCHED_RAW)) {
			ok = false; /* the loader says why */
		} else if (!use_btf && !probe_attach(vmlinux, "sched_switch", false)) {
			snprintf(note, len,
				 "CPU and scheduler columns unavailable: neither tp_btf nor "
				 "raw_tp programs attach to sched:sched_switch");
			ok = false;
		}
	}
	/* Everything off, then the chosen flavour of each hook the kernel has. */
	for (size_t i = 0; i < n; i++) {
		bpf_program__set_autoload(hooks[i].btf_prog, false);
		bpf_program__set_autoload(hooks[i].raw_prog, false);
	}
	for (size_t i = 0; ok && i < n; i++) {
		if (kernel_has_tracepoint(vmlinux, hooks[i].tp))
			continue;
		if (hooks[i].needed) {
			snprintf(note, len,
				 "CPU and scheduler columns unavailable: this kernel has no "
				 "sched:%s tracepoint",
				 hooks[i].tp);
			ok = false;
		} else {
			size_t l = strlen(missing);

			snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? ", " : "",
				 hooks[i].tp);
			hooks[i].btf_prog = hooks[i].raw_prog = NULL;
		}
	}
	/*
	 * sched_wakeup fires as often as sched_switch, and its dispatch costs as much as the
	 * program: where the kernel stamps each enqueue (sched_info.last_queued), that stamp,
	 * read when the thread is switched in, ends the off-CPU stretch at the same instant, and
	 * sched_wakeup stays unloaded (EBTOP_SCHED_WAKEUP=1 loads it: it also places the waits of
	 * threads whose arrival the kernel does not report, see sched.bpf.h).
	 */
	if (ok && !getenv("EBTOP_SCHED_WAKEUP") && kernel_stamps_enqueue(vmlinux)) {
		hooks[1].btf_prog = hooks[1].raw_prog = NULL;
		skel->rodata->sched_wakeups = 0;
	}
	for (size_t i = 0; ok && i < n; i++) {
		struct bpf_program *p = use_btf ? hooks[i].btf_prog : hooks[i].raw_prog;

		if (p)
			bpf_program__set_autoload(p, true);
	}
	if (ok && missing[0])
		snprintf(note, len, "no %s tracepoint: the columns it feeds stay at 0", missing);
	if (ok && !use_btf)
		log_info("sched: tp_btf does not work here, using raw_tp\n");
	if (note[0])
		features_say(sc->fs, FEAT_SCHED, !ok, "%s", note);
	skel->rodata->sched_on = ok;
	skel->rodata->sched_nslots = ok ? slots_for_pid_max() : 1;
	bpf_map__set_max_entries(skel->maps.sched_slots, skel->rodata->sched_nslots);
	return ok;
}

void sched_start(struct ebtop_bpf *skel, uint64_t start_ns)
{
	skel->bss->sched_start_ns = start_ns;
	/* The next switch recalibrates and fixes the start on the scheduler's clock. */
	__atomic_store_n(&skel->bss->sched_start_c, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&skel->bss->sched_calib_c, 0, __ATOMIC_RELEASE);
}
