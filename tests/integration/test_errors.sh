#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Bad arguments exit 2 with usage; missing privileges exit 1 with one sentence.
. "$(dirname "$0")/lib.sh"

"$EBTOP" -b --no-such-flag >"$TMP/out" 2>"$TMP/err"
check_eq "unknown flag exits 2" "$?" 2
check_true "unknown flag names the flag" grep -q "unknown option '--no-such-flag'" "$TMP/err"
check_true "unknown flag prints usage" grep -q '^Usage: ebtop' "$TMP/err"

for bad in "-d 0" "-d abc" "-n -1" "--sort nosuchfield" "--pid x" "--ringbuf-kb 1000" \
	"-d 0x10" "-d 1e1" "-n +3" "--pid 1," "--pid 1,,2" "-o pid,,cmd" "-o pid,"; do
	# shellcheck disable=SC2086
	# A value taken by mistake would run until stopped: 124 from timeout is a failure too.
	timeout 10 "$EBTOP" -b $bad >/dev/null 2>"$TMP/err"
	check_eq "bad value '$bad' exits 2" "$?" 2
done

# A huge argument is quoted by a bounded prefix, not echoed whole.
"$EBTOP" -b --sort "$(head -c 100000 /dev/zero | tr '\0' x)" >/dev/null 2>"$TMP/err"
check_eq "100 KB --sort exits 2" "$?" 2
check_true "100 KB --sort: a short error line" \
	bash -c "[ \$(head -1 '$TMP/err' | wc -c) -lt 200 ] && head -1 '$TMP/err' | grep -q 'xxx\.\.\.'"

# A web config that cannot be read stops serve at start: never serve without auth and TLS.
printf 'basic_auth_users: {}\n' >"$TMP/web.yml"
for wc in /tmp /proc/self/mem "$TMP/no-such-web.yml"; do
	timeout 20 "$EBTOP" serve --listen 127.0.0.1:0 --db off --web-config "$wc" \
		>/dev/null 2>"$TMP/err"
	rc=$?
	check_true "--web-config $wc: fails at start (rc $rc)" test "$rc" != 0 -a "$rc" != 124
	check_true "--web-config $wc: one line names the file" \
		bash -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -qF -- '$wc' '$TMP/err'"
done

# Bad --listen values are refused with a message, not bound to something else.
for spec in unix: 127.0.0.1:99999 127.0.0.1:http 127.0.0.1:-1; do
	timeout 20 "$EBTOP" serve --listen "$spec" --db off >/dev/null 2>"$TMP/err"
	rc=$?
	check_true "--listen $spec: refused (rc $rc)" test "$rc" != 0 -a "$rc" != 124
	check_true "--listen $spec: says why" grep -q -- '--listen' "$TMP/err"
done

# Port 0: the kernel picks one, and stderr says which.
"$EBTOP" serve --listen 127.0.0.1:0 --db off >/dev/null 2>"$TMP/err" &
spid=$!
on_exit "kill $spid"
for _ in $(seq 100); do
	grep -q 'listening on' "$TMP/err" && break
	sleep 0.1
done
addr=$(sed -n 's/^ebtop: listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$TMP/err")
check_true "--listen 127.0.0.1:0 prints the bound address" test -n "$addr"
for _ in $(seq 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/health")
	[ "$code" = 200 ] && break
	sleep 0.1
done
check_eq "--listen 127.0.0.1:0: that address answers" "$code" 200
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

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
