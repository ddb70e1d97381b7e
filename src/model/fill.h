/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-concern functions that turn a row's counters into field values. */
#ifndef EBTOP_FILL_H
#define EBTOP_FILL_H

#include "model/model.h"

/* dt_s: the interval in seconds (> 0). */
typedef void (*row_fill_fn)(struct row *r, double dt_s);

void fill_ident(struct row *r, double dt_s);
void fill_net(struct row *r, double dt_s);
void fill_disk(struct row *r, double dt_s);
void fill_sched(struct row *r, double dt_s);
void fill_conn(struct row *r, double dt_s);

#endif
