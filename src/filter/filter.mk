# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The filter library, for inclusion by the top-level Makefile (paths are relative to the repo root).
#
# FILTER_SRCS are pure C (libc only, plus -lm). Its unit test calls private functions,
# so build FILTER_SRCS again with -DEBTOP_TESTING for it, and link it with -lcmocka -lm.
# tests/fuzz/run.sh builds and runs the fuzzer on its own (clang, libFuzzer).

FILTER_SRCS := $(addprefix src/filter/,filter.c lexer.c parser.c group.c order.c value.c \
	regex.c eval.c dump.c error.c)
FILTER_TEST_SRCS := tests/unit/test_filter.c
FILTER_FUZZ_SRCS := tests/fuzz/fuzz_filter.c
FILTER_BENCH_SRCS := bench/filter_bench.c
FILTER_LIBS := -lm
