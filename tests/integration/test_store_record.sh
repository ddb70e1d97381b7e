#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop record: N intervals give N samples readable with sqlite3; iperf3's bytes survive the
# round trip; SIGTERM writes the partial last interval and closes cleanly; --from --at
# reproduces what batch mode printed live.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader "$1" "$2"; }

# Recording has begun (BPF attached, run row committed) once the run table has a row.
wait_run() {
	for _ in $(seq 200); do
		[ "$(q "$1" 'SELECT count(*) FROM run' 2>/dev/null)" = "${2:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- N intervals -> N samples, each with its process rows ---
db=$TMP/n.db
"$EBTOP" record -o "$db" -n 5 -d 0.2 2>"$TMP/n.err"
check_eq "record -n 5 exits 0" "$?" 0
check_eq "record -n 5: samples" "$(q "$db" 'SELECT count(*) FROM sample')" 5
check_eq "record -n 5: seq 1..5" "$(q "$db" 'SELECT group_concat(seq) FROM sample')" "1,2,3,4,5"
check_eq "record -n 5: every sample has its process rows" \
	"$(q "$db" 'SELECT count(*) FROM sample s WHERE nprocs != (SELECT count(*) FROM proc_sample WHERE sample_id = s.id)')" 0
check_eq "record -n 5: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
check_eq "record -n 5: WAL mode" "$(q "$db" 'PRAGMA journal_mode')" wal
check_true "record -n 5: WAL checkpointed and removed at exit" test ! -e "$db-wal"
# Our own pid is in the history view with its command name.
check_eq "record -n 5: ebtop sees itself" \
	"$(q "$db" "SELECT count(DISTINCT sample_id) FROM history WHERE comm = 'ebtop'")" 5

# --- iperf3's bytes, written by the final (partial) interval at SIGTERM ---
# -d 60: no regular interval ends during the test, so everything below comes from the
# snapshot ebtop takes when told to stop.
db=$TMP/term.db
"$EBTOP" record -o "$db" -d 60 2>"$TMP/term.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_run "$db"; then
	port=$(free_port)
	iperf3 -s -1 -p "$port" >"$TMP/server.txt" 2>&1 &
	spid=$!
	on_exit "kill $spid"
	sleep 0.3
	iperf3 -c 127.0.0.1 -p "$port" -t 2 -J >"$TMP/client.json" &
	cpid=$!
	wait "$cpid"
	wait "$spid"
	kill -TERM "$rec"
	wait "$rec"
	check_eq "SIGTERM: exit status" "$?" 0
	check_eq "SIGTERM: the partial interval was written" "$(q "$db" 'SELECT count(*) FROM sample')" 1
	check_eq "SIGTERM: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
	check_true "SIGTERM: WAL checkpointed and removed" test ! -e "$db-wal"
	sent=$(jq '.end.sum_sent.bytes' "$TMP/client.json")
	recv=$(jq '.end.sum_received.bytes' "$TMP/client.json")
	ctx=$(q "$db" "SELECT max(tx_total) FROM history WHERE pid = $cpid")
	srx=$(q "$db" "SELECT max(rx_total) FROM history WHERE pid = $spid")
	# 1%: as in test_net_iperf3 (ebtop also counts iperf3's control connection, ~300 bytes).
	check_near "SIGTERM: iperf3 client TX in the database vs iperf3 sent" "$ctx" "$sent" 0.01
	check_near "SIGTERM: iperf3 server RX in the database vs iperf3 received" "$srx" "$recv" 0.01
	check_eq "SIGTERM: the client's row is marked exited" \
		"$(q "$db" "SELECT flags & 1 FROM history WHERE pid = $cpid")" 1
	check_eq "SIGTERM: one process identity per iperf3" \
		"$(q "$db" "SELECT count(*) FROM process WHERE comm = 'iperf3' AND pid IN ($cpid, $spid)")" 2
else
	fail "SIGTERM: ebtop record did not start" "$(cat "$TMP/term.err")"
fi

# --- SIGINT (Ctrl-C) does the same as SIGTERM ---
db=$TMP/int.db
"$EBTOP" record -o "$db" -d 60 2>"$TMP/int.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_run "$db"; then
	# Events: one exec with a marker argument, one connect refused by a port nobody serves.
	marker="ebtop-store-marker-$$"
	/bin/echo "$marker" >/dev/null
	cport=$(free_port)
	(exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null
	kill -INT "$rec"
	wait "$rec"
	check_eq "SIGINT: exit status" "$?" 0
	check_eq "events: the marker exec, with its arguments" \
		"$(q "$db" "SELECT count(*) FROM event WHERE kind = 'exec' AND cmdline = '/bin/echo $marker'")" 1
	check_eq "events: the refused connect (ECONNREFUSED = 111)" \
		"$(q "$db" "SELECT count(*) || ' ' || max(errno) FROM event WHERE kind = 'connect' AND rport = $cport")" "1 111"
	check_eq "SIGINT: the partial interval was written" "$(q "$db" 'SELECT count(*) FROM sample')" 1
	check_eq "SIGINT: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
	check_true "SIGINT: WAL checkpointed and removed" test ! -e "$db-wal"
else
	fail "SIGINT: ebtop record did not start" "$(cat "$TMP/int.err")"
fi

# --- ebtop -b --from --at prints exactly what batch mode printed live ---
# iperf3 runs meanwhile, so there are connection rows to record and compare. ebtop stops
# on SIGTERM after iperf3 is done: its last (partial) interval goes to the database, so the
# connection's final counters are recorded however long iperf3 took.
db=$TMP/live.db
port=$(free_port)
iperf3 -s -1 -p "$port" >"$TMP/server2.txt" 2>&1 &
spid=$!
on_exit "kill $spid"
"$EBTOP" -b --json -d 0.25 --db "$db" >"$TMP/live.json" 2>"$TMP/live.err" &
bpid=$!
on_exit "kill -9 $bpid"
for _ in $(seq 100); do
	[ -s "$TMP/live.json" ] && break
	sleep 0.05
done
iperf3 -c 127.0.0.1 -p "$port" -t 1 -J >"$TMP/client2.json"
wait "$spid"
sleep 0.6 # a couple more printed intervals, with the connection closed
kill -TERM "$bpid"
wait "$bpid"
rc=$?
check_eq "batch --db: exit status" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$TMP/live.err"
same=0 lines=0
while IFS= read -r line; do
	lines=$((lines + 1))
	t=$(jq -r '.time' <<<"$line")
	"$EBTOP" -b --from "$db" --at "$t" --json >"$TMP/at.json"
	if diff <(jq -S . <<<"$line") <(jq -S . "$TMP/at.json") >"$TMP/at.diff"; then
		same=$((same + 1))
	else
		head -5 "$TMP/at.diff"
	fi
done <"$TMP/live.json"
check_eq "--from --at: recorded snapshots equal the live JSON, connections included" \
	"$same/$lines" "$lines/$lines"
check_true "--from --at: compared at least 4 snapshots ($lines)" test "$lines" -ge 4
# The client's data connection: bytes recorded per interval add up to what iperf3 sent
# (1%: the connection's first bytes may precede ebtop's first snapshot by a few ms).
sent=$(jq '.end.sum_sent.bytes' "$TMP/client2.json")
conn_tx=$(q "$db" "SELECT max(tot_tx_bytes) FROM conn_sample WHERE rport = $port AND proto = 6
	AND tot_tx_bytes > 100000")
check_near "connection rows: the data connection's bytes vs iperf3 sent" "$conn_tx" "$sent" 0.01
# The table renderer works on recordings too, with the view options.
check_eq "--from: table output, one header per snapshot" \
	"$("$EBTOP" -b --from "$db" --top 3 | grep -c '^ebtop - ')" "$(q "$db" 'SELECT count(*) FROM sample')"
check_eq "--from --at last -n 1: one snapshot" \
	"$("$EBTOP" -b --from "$db" --at last --csv | grep -c '^[0-9]')" \
	"$(q "$db" 'SELECT nprocs FROM sample ORDER BY wall_ns DESC LIMIT 1')"
"$EBTOP" -b --from "$db" --at 1 >/dev/null 2>"$TMP/early.err"
check_eq "--from --at before the recording: exit 1" "$?" 1
