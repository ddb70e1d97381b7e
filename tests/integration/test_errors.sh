#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Bad arguments exit 2 with usage; missing privileges exit 1 with one sentence.
. "$(dirname "$0")/lib.sh"

"$EBTOP" -b --no-such-flag >"$TMP/out" 2>"$TMP/err"
check_eq "unknown flag exits 2" "$?" 2
check_true "unknown flag names the flag" grep -q "unknown option '--no-such-flag'" "$TMP/err"
check_true "unknown flag prints usage" grep -q '^Usage: ebtop' "$TMP/err"

for bad in "-d 0" "-d abc" "-n -1" "--sort nosuchfield" "--pid x" "--ringbuf-kb 1000"; do
	# shellcheck disable=SC2086
	"$EBTOP" -b $bad >/dev/null 2>"$TMP/err"
	check_eq "bad value '$bad' exits 2" "$?" 2
done

# No capabilities at all, as an unprivileged user: BPF is refused.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$EBTOP" -b -n 1 >"$TMP/out" 2>"$TMP/err"
check_eq "no privileges exits 1" "$?" 1
check_eq "no privileges: one line on stderr" "$(wc -l <"$TMP/err")" 1
check_true "no privileges: says what is missing" grep -q 'needs root, or CAP_BPF and CAP_PERFMON' "$TMP/err"
check_true "no privileges: no libbpf dump" bash -c "! grep -q 'libbpf' '$TMP/err'"

"$EBTOP" -b -n 1 -d 0.2 --json >"$TMP/one.json" 2>"$TMP/err"
check_eq "a normal run exits 0" "$?" 0
check_eq "a normal run prints valid JSON" "$(jq '.processes | length > 0' "$TMP/one.json")" true
