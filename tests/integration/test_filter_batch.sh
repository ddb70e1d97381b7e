#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop -b --filter: only matching processes, judged against iperf3's own roles and pids.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
spid=$!
on_exit "kill $spid"
sleep 0.3
iperf3 -c 127.0.0.1 -p "$port" -t 6 -b 200M >/dev/null 2>&1 &
cpid=$!
on_exit "kill $cpid"
sleep 1
# The client sends ~25 MB/s and receives almost nothing; the server the other way round.
# ppid: other iperf3 runs on a shared machine are not ours.
start_ebtop filt -d 0.5 -n 3 --filter "name = iperf3 and ppid = $$ and tx > 10MB/s" || fail "filter: ebtop start"
wait "$EBTOP_PID"
check_eq "filter: rows are exactly the sending iperf3" \
	"$(jq -s '[.[1:][] | .processes[].pid] | unique | map(tostring) | join(",")' -r "$TMP/filt.json")" "$cpid"
# A connection clause: the process with a connection to the iperf3 port is the client.
start_ebtop conn -d 0.5 -n 2 --filter "conn.rport = $port" || fail "conn filter: ebtop start"
wait "$EBTOP_PID"
check_eq "filter: conn.rport = the iperf3 port selects only the client" \
	"$(jq -s '[.[] | .processes[].pid] | unique | map(tostring) | join(",")' -r "$TMP/conn.json")" "$cpid"
start_ebtop conns -d 0.5 -n 2 --connections --filter "conn.lport = $port and conn.raddr in 127.0.0.0/8" ||
	fail "conn view filter: ebtop start"
wait "$EBTOP_PID"
check_true "filter: the connection view keeps only the server's side of the port" \
	jq -se "[.[] | .processes[]?.connections[]?, .connections[]?] | length > 0 and
		all(.lport == $port and .pid == $spid)" "$TMP/conns.json"
"$EBTOP" -b -n 1 -d 0.3 --filter "name = iperf3 and and pid > 1" >/dev/null 2>"$TMP/bad.err"
check_eq "filter: a bad expression exits 2" "$?" 2
check_true "filter: the error points at the column" grep -q 'error at column 18' "$TMP/bad.err"
wait "$cpid" "$spid"
