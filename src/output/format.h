/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Numbers to text in a field's unit, human-scaled or raw. */
#ifndef EBTOP_FORMAT_H
#define EBTOP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include "model/fields.h"
#include "model/model.h"

/* NaN prints as "-". raw: whole numbers with no scaling (--bytes). */
void fmt_value(char *buf, size_t len, double v, enum field_unit unit, bool raw);
/* 1536 -> "1.5K": IEC multiples, at most 5 characters for values below 1000 Ti. */
void fmt_bytes(char *buf, size_t len, double v);
/* A row's field as text, numeric or string; "-" when unavailable. */
void fmt_field(char *buf, size_t len, const struct row *r, int field, bool raw);

#endif
