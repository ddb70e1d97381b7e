/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Monotonic, boot-time and wall clocks in nanoseconds. */
#ifndef EBTOP_CLOCK_H
#define EBTOP_CLOCK_H

#include <stdint.h>

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

uint64_t clock_mono_ns(void);
/* CLOCK_BOOTTIME: the clock of task start times and bpf_ktime_get_boot_ns(). */
uint64_t clock_boot_ns(void);
uint64_t clock_wall_ns(void);
/* Sleep until the CLOCK_MONOTONIC deadline; returns early (nonzero) on a signal. */
int clock_sleep_until(uint64_t mono_deadline_ns);

#endif
