#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs the unit tests, then (as root, with BPF) the integration tests; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD EBTOP="$PWD/$BUILD/ebtop" TOOLS="$PWD/$BUILD/tools"
passed=0 failed=0 skipped=0
failures=()

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:".
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$(basename "$t") exited $rc")
	fi
done

if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests skipped: they need root (BPF)"
	skipped=1
elif [ -n "${EBTOP_UNIT_ONLY:-}" ]; then
	skipped=1
else
	for t in tests/integration/test_*.sh; do
		[ -n "${EBTOP_TESTS:-}" ] && ! [[ "$(basename "$t")" =~ ${EBTOP_TESTS} ]] && continue
		echo "== $(basename "$t")"
		out=$(timeout 600 bash "$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		p=$(printf '%s\n' "$out" | grep -c '^PASS: ')
		f=$(printf '%s\n' "$out" | grep -c '^FAIL: ')
		passed=$((passed + p))
		failed=$((failed + f))
		while IFS= read -r line; do
			failures+=("$line")
		done < <(printf '%s\n' "$out" | grep '^FAIL: ')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			failed=$((failed + 1))
			failures+=("$(basename "$t") exited $rc")
		fi
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
