#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop events: a 100 KB sender that lives a few ms gives one connect and one close with its bytes; losses are reported.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load

wait_listening() { for _ in $(seq 100); do grep -q listening "$1" 2>/dev/null && return; sleep 0.05; done; }

# Starts `ebtop events --json` into $TMP/$1.jsonl; ready once it reports an exec we make.
start_events() {
	local name=$1 probe
	shift
	"$EBTOP" events --json "$@" >"$TMP/$name.jsonl" 2>"$TMP/$name.err" &
	EVENTS_PID=$!
	on_exit "kill $EVENTS_PID"
	for _ in $(seq 100); do
		/bin/true &
		probe=$!
		wait "$probe"
		sleep 0.05
		grep -q "\"type\":\"exec\",\"pid\":$probe," "$TMP/$name.jsonl" 2>/dev/null && return 0
	done
	echo "ebtop events did not start: $(cat "$TMP/$name.err")"
	return 1
}

stop_events() {
	kill -TERM "$EVENTS_PID" 2>/dev/null
	wait "$EVENTS_PID"
	check_eq "$1: ebtop events exit status" "$?" 0
	check_eq "$1: no sanitizer report" "$(grep -cE 'Sanitizer|runtime error' "$TMP/$1.err")" 0
}

# Events of one pid and type: count, or a field of the only one.
ev() { jq -s --argjson p "$2" --arg t "$3" "[.[] | select(.pid == \$p and .type == \$t)] | $4" "$1"; }

# --- A process that connects, sends 100 KiB and exits at once ---
port=$(free_port)
start_events short || fail "short: ebtop events start"
$LOAD server -p "$port" -n 1 -t 20 >"$TMP/srv.txt" &
spid=$!
on_exit "kill $spid"
wait_listening "$TMP/srv.txt"
t0=$(date +%s%N)
$LOAD client -p "$port" -n 1 -b 102400 >"$TMP/cli.txt" &
cpid=$!
wait "$cpid"
t1=$(date +%s%N)
wait "$spid"
sleep 0.5 # the server's close happens after it read everything
stop_events short
echo "the client lived $(((t1 - t0) / 1000000)) ms (fork to exit)"
f=$TMP/short.jsonl
# References: the client's own count of what it sent, the server's of what it read.
sent=$(awk '{print $2}' "$TMP/cli.txt")
got=$(grep -v listening "$TMP/srv.txt" | awk '{print $2}')
check_eq "short: the client sent 100 KiB" "$sent" 102400
check_eq "short: one connect event" "$(ev "$f" "$cpid" connect length)" 1
check_eq "short: the connect succeeded" "$(ev "$f" "$cpid" connect '.[0].error')" null
check_eq "short: the connect names the port" "$(ev "$f" "$cpid" connect '.[0].rport')" "$port"
check_eq "short: one close event" "$(ev "$f" "$cpid" close length)" 1
check_eq "short: close carries the bytes sent" "$(ev "$f" "$cpid" close '.[0].tx_bytes')" "$sent"
check_eq "short: close carries the bytes received" "$(ev "$f" "$cpid" close '.[0].rx_bytes')" 0
check_true "short: close has a duration" \
	test "$(ev "$f" "$cpid" close '.[0].duration_ns > 0')" = true
check_eq "short: exec event of the client" "$(ev "$f" "$cpid" exec '.[0].argv[1:4] | join(" ")')" \
	"\"client -p $port\""
check_eq "short: server: one accept" "$(ev "$f" "$spid" accept length)" 1
check_eq "short: server: close carries the bytes read" "$(ev "$f" "$spid" close '.[0].rx_bytes')" "$got"
check_eq "short: server: close marked passive" "$(ev "$f" "$spid" close '.[0].passive')" true

# --- A refused connect is a connect event with its error ---
port=$(free_port)
start_events refused || fail "refused: ebtop events start"
$LOAD client -p "$port" -n 1 -b 0 >"$TMP/refused.txt" &
rpid=$!
wait "$rpid"
check_eq "refused: the client saw ECONNREFUSED (exit 3)" "$?" 3
sleep 0.3
stop_events refused
check_eq "refused: one connect event" "$(ev "$TMP/refused.jsonl" "$rpid" connect length)" 1
check_eq "refused: its error" "$(ev "$TMP/refused.jsonl" "$rpid" connect '.[0].error')" '"refused"'
check_eq "refused: no close event (it never connected)" \
	"$(ev "$TMP/refused.jsonl" "$rpid" close length)" 0

# --- A ring buffer too small for a burst: the loss is counted and reported ---
port=$(free_port)
start_events lost --conn-ringbuf-kb 4 || fail "lost: ebtop events start"
$LOAD churn -p "$port" -n 3000 -t 20 >"$TMP/churn.txt" &
chpid=$!
wait "$chpid"
check_eq "lost: churn exit status" "$?" 0
# Every socket of the churn has reached CLOSE (time-wait ones are past it) before we stop.
for _ in $(seq 100); do
	[ "$(ss -tanH "( sport = :$port or dport = :$port )" | grep -cv TIME-WAIT)" = 0 ] && break
	sleep 0.1
done
sleep 0.5
stop_events lost
lost=$(jq -s '[.[] | select(.type == "lost") | .count] | add // 0' "$TMP/lost.jsonl")
missed=$(jq -s '[.[] | select(.type == "lost") | .missed] | add // 0' "$TMP/lost.jsonl")
# By port, not pid: connections still in the accept queue when the churn exits are closed by
# the kernel before the process ever owned them.
seen=$(jq -s --argjson port "$port" '[.[] | select(.type != "exec" and .type != "lost")
	| select(.lport == $port or .rport == $port)] | length' "$TMP/lost.jsonl")
echo "churn: $seen events received, $lost reported lost, $missed program runs skipped"
check_true "lost: losses reported (a 4 KiB ring cannot hold 3000 connections' events)" test "$lost" -gt 0
# Each connection makes a connect, an accept and two closes; the rest were lost, not silently
# dropped. A program run the kernel skipped (an interrupt nested on the same CPU, busy machines)
# can take up to two events with it (the accept and the close of one socket).
check_true "lost: received + lost covers every event of the churn ($seen + $lost + 2 x $missed >= 12000)" \
	test $((seen + lost + 2 * missed)) -ge 12000
