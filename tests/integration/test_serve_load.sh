#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop serve under load and scale: 50 concurrent clients on /metrics and the API for 10 s
# (wrk: no errors; p99 latency reported), and 500 processes -> at most N+1 series per metric.
. "$(dirname "$0")/serve_lib.sh"

TOP=20
start_serve load -d 0.5 --metrics-top "$TOP" || { fail "serve start"; exit 0; }

# 500 sleepers with 500 distinct names (comm is the executable's name), so that the default
# labels (comm, user, cgroup) make 500 distinct series; bounded in time and killed at exit.
mkdir -p "$TMP/bin"
pids=()
for i in $(seq 500); do
	ln -s "$(command -v sleep)" "$TMP/bin/sl$i"
	"$TMP/bin/sl$i" 120 &
	pids+=($!)
done
on_exit "kill ${pids[*]}"
sleep 1.5 # two snapshots see them all

curl -s "$URL/metrics" >"$TMP/metrics.txt"
# Series per process metric: the exported series plus one "other".
worst=$(grep '^ebtop_process' "$TMP/metrics.txt" | sed 's/{.*//' | sort | uniq -c |
	sort -rn | awk 'NR == 1 { print $1 }')
check_true "at most N+1 series per process metric with 500 processes (worst: $worst, N=$TOP)" \
	[ "$worst" -le $((TOP + 1)) ]
folded=$(awk '/^ebtop_metrics_folded_processes / { print $2 }' "$TMP/metrics.txt")
check_true "folded gauge counts the sleepers (got $folded)" [ "${folded:-0}" -ge $((500 - TOP)) ]
lint=$(promtool check metrics <"$TMP/metrics.txt" 2>&1)
check_true "promtool with 500 processes: no findings${lint:+ ($lint)}" [ -z "$lint" ]
other=$(grep -c '^ebtop_process_threads{comm="other"}' "$TMP/metrics.txt")
check_eq "one aggregate series" "$other" 1

# Load: 25 clients on /metrics and 25 on /api/v1/processes at once, 10 s each.
if command -v wrk >/dev/null; then
	wrk -t1 -c25 -d10s --timeout 5s --latency "$URL/metrics" >"$TMP/wrk-metrics.txt" 2>&1 &
	w1=$!
	wrk -t1 -c25 -d10s --timeout 5s --latency "$URL/api/v1/processes" \
		>"$TMP/wrk-api.txt" 2>&1 &
	w2=$!
	wait "$w1" "$w2"
	for f in metrics api; do
		out="$TMP/wrk-$f.txt"
		reqs=$(awk '/requests in/ { print $1 }' "$out")
		p99=$(awk '$1 == "99%" { print $2 }' "$out")
		errs=$(grep -E 'Socket errors|Non-2xx' "$out" | tr '\n' ' ')
		echo "load $f: $reqs requests in 10 s, p99 $p99 ${errs:+($errs)}"
		check_true "load $f: requests served ($reqs)" [ "${reqs:-0}" -gt 0 ]
		check_true "load $f: no errors${errs:+ ($errs)}" [ -z "$errs" ]
	done
else
	fail "load" "wrk is not installed (make deps)"
fi
check_eq "healthy after the load" "$(http_code /health)" 200
stop_serve TERM
check_eq "SIGTERM after load: exit status" "$SERVE_RC" 0
