/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the cmocka unit tests. */
#ifndef EBTOP_TESTUTIL_H
#define EBTOP_TESTUTIL_H

#include <math.h>

/* cmocka 1.1 compares floats only in single precision; counters need doubles. */
#define assert_near(a, b, eps)                                                                   \
	do {                                                                                     \
		double a_ = (a), b_ = (b);                                                       \
		if (!(fabs(a_ - b_) <= (eps)))                                                   \
			fail_msg("%s = %.17g, expected %.17g (+-%g)", #a, a_, b_, (double)(eps)); \
	} while (0)

#endif
