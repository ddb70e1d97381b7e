// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attaches empty BPF programs to the hooks `ebtop -b` attaches (network, scheduler,
 * block layer) and waits for SIGINT/SIGTERM: bench/overhead runs it as a
 * "monitor" that does nothing, so the cost of the hooks themselves (the
 * kernel's tracepoint and BPF dispatch) is told apart from ebtop's own work.
 *
 * usage: floor [net|sched|disk]...   (default: all)
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	bool net = argc < 2, sched = argc < 2, disk = argc < 2;
	struct floor_bpf *skel;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "net"))
			net = true;
		else if (!strcmp(argv[i], "sched"))
			sched = true;
		else if (!strcmp(argv[i], "disk"))
			disk = true;
		else {
			fprintf(stderr, "usage: floor [net|sched|disk]...\n");
			return 2;
		}
	}
	libbpf_set_print(quiet);
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object\n");
		return 1;
	}
	bpf_program__set_autoload(skel->progs.floor_send, net);
	bpf_program__set_autoload(skel->progs.floor_recv, net);
	bpf_program__set_autoload(skel->progs.floor_switch, sched);
	bpf_program__set_autoload(skel->progs.floor_migrate, sched);
	bpf_program__set_autoload(skel->progs.floor_exit, sched);
	bpf_program__set_autoload(skel->progs.floor_io_start, disk);
	bpf_program__set_autoload(skel->progs.floor_io_done, disk);
	bpf_program__set_autoload(skel->progs.floor_rq_issue, disk);
	bpf_program__set_autoload(skel->progs.floor_dirty, disk);
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: cannot load or attach the programs (root and BTF needed)\n");
		floor_bpf__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		pause();
	floor_bpf__destroy(skel);
	return 0;
}
