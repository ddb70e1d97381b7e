#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop -b --filter: only matching processes, judged against iperf3's own roles and pids.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
spid=$!
on_exit "kill $spid"
sleep 0.3
iperf3 -c 127.0.0.1 -p "$port" -t 3 -b 200M >/dev/null 2>&1 &
cpid=$!
on_exit "kill $cpid"
sleep 1
# The client sends ~25 MB/s and receives almost nothing; the server the other way round.
start_ebtop filt -d 0.5 -n 3 --filter "name = iperf3 and tx > 10MB/s" || fail "filter: ebtop start"
wait "$EBTOP_PID"
check_eq "filter: rows are exactly the sending iperf3" \
	"$(jq -s '[.[1:][] | .processes[].pid] | unique | map(tostring) | join(",")' -r "$TMP/filt.json")" "$cpid"
"$EBTOP" -b -n 1 -d 0.3 --filter "name = iperf3 and and pid > 1" >/dev/null 2>"$TMP/bad.err"
check_eq "filter: a bad expression exits 2" "$?" 2
check_true "filter: the error points at the column" grep -q 'error at column 18' "$TMP/bad.err"
wait "$cpid" "$spid"
