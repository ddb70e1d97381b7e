#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Builds the filter fuzzer into build/fuzz/ and runs it for a bounded time (default 60 s).
# Fails on any crash, leak, undefined behaviour, timeout or broken invariant.
set -eu

secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build/fuzz"
bin="$out/fuzz_filter"
work="$out/corpus-filter"

mkdir -p "$out" "$work"
clang -g -O1 -std=gnu11 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$root/src" \
	"$root"/src/filter/*.c "$root/tests/fuzz/fuzz_filter.c" -lm -o "$bin"

# New inputs go to the work directory; the seeds in git stay as they are.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec "$bin" "$work" "$root/tests/fuzz/corpus/filter" \
	-dict="$root/tests/fuzz/filter.dict" \
	-max_total_time="$secs" -max_len=5000 -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=77 -timeout_exitcode=78 \
	-artifact_prefix="$out/" -report_slow_units=1 -print_final_stats=1
