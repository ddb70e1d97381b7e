/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* TESTABLE: static in the shipped binary, visible to the unit tests. */
#ifndef EBTOP_TESTABLE_H
#define EBTOP_TESTABLE_H

#ifdef EBTOP_TESTING
#define TESTABLE
#else
#define TESTABLE static
#endif

#endif
