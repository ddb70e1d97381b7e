/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-disk rows and per-process latency summaries of a snapshot, from the kernel's histograms. */
#ifndef EBTOP_MODEL_DISK_H
#define EBTOP_MODEL_DISK_H

#include "model/model.h"

struct disk_model;

struct disk_model *disk_model_new(void);
void disk_model_free(struct disk_model *dm);
/*
 * Fills snap->disks and the latency fields of snap's process rows from s, against the
 * previous sample's histograms; blanks every disk field when disk counting is off.
 */
int disk_model_update(struct disk_model *dm, struct snapshot *snap, const struct sample *s,
		      double dt) __attribute__((warn_unused_result));

#endif
