#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Exact byte counts: UDP datagrams over IPv6, a 20 ms TCP sender, per-thread bytes of a sender.
# References: what netload's send and receive calls returned, as it prints them.
. "$(dirname "$0")/lib.sh"
NETLOAD=$TOOLS/netload

wait_ready() { for _ in $(seq 100); do grep -q ready "$1" 2>/dev/null && return; sleep 0.05; done; }

# --- UDP over ::1: 3000 datagrams of 700 bytes, exact on both sides ---
port=$(free_port)
start_ebtop udp -d 0.25 || fail "udp: ebtop start"
$NETLOAD udp-sink ::1 "$port" 3000 700 >"$TMP/usink.txt" &
sink=$!
wait_ready "$TMP/usink.txt"
$NETLOAD udp-send ::1 "$port" 3000 700 >"$TMP/usend.txt" &
sender=$!
wait "$sender" "$sink"
sleep 0.6
stop_ebtop udp
sent=$(jq .bytes "$TMP/usend.txt")
got=$(jq .bytes <(tail -1 "$TMP/usink.txt"))
# Exact: each datagram is one sendmsg/recvmsg call returning its full length.
check_eq "udp: sender TX bytes" "$(last_value "$TMP/udp.json" ".pid == $sender" udp_tx_total)" "$sent"
check_eq "udp: sender IPv6 TX bytes" "$(last_value "$TMP/udp.json" ".pid == $sender" v6_tx_total)" "$sent"
check_eq "udp: receiver RX bytes" "$(last_value "$TMP/udp.json" ".pid == $sink" udp_rx_total)" "$got"
check_eq "udp: receiver got every datagram" "$got" "$sent"

# --- A process that sends exactly 1 MiB over TCP and exits at once ---
port=$(free_port)
start_ebtop short -d 0.5 || fail "short: ebtop start"
$NETLOAD tcp-sink 127.0.0.1 "$port" 1 >"$TMP/tsink.txt" &
sink=$!
wait_ready "$TMP/tsink.txt"
$NETLOAD tcp-send 127.0.0.1 "$port" 1048576 >"$TMP/tsend.txt" &
sender=$!
wait "$sender" "$sink"
sleep 1.1 # its exit record reaches the next snapshot
stop_ebtop short
echo "short-lived sender lived $(jq .seconds "$TMP/tsend.txt") s"
check_eq "short-lived: TX bytes exact" "$(last_value "$TMP/short.json" ".pid == $sender" tx_total)" \
	"$(jq .bytes "$TMP/tsend.txt")"
check_eq "short-lived: receiver RX bytes exact" \
	"$(last_value "$TMP/short.json" ".pid == $sink" rx_total)" "$(tail -1 "$TMP/tsink.txt" | jq .bytes)"
check_eq "short-lived: shown once, as exited" \
	"$(jq -rs "[.[] | .processes[] | select(.pid == $sender)] | map(.exited) | tostring" "$TMP/short.json")" \
	'[true]'

# --- Four threads, thread i sends 300000 * (i + 1) bytes on its own connection ---
port=$(free_port)
start_ebtop threads -d 0.25 --threads || fail "threads: ebtop start"
threads_pid=$EBTOP_PID
start_ebtop procs -d 0.25 || fail "procs: ebtop start"
$NETLOAD tcp-sink 127.0.0.1 "$port" 4 >"$TMP/msink.txt" &
sink=$!
wait_ready "$TMP/msink.txt"
$NETLOAD tcp-send 127.0.0.1 "$port" 300000 4 >"$TMP/msend.txt" &
sender=$!
wait "$sender" "$sink"
sleep 0.6
stop_ebtop procs
EBTOP_PID=$threads_pid stop_ebtop threads
while read -r line; do
	tid=$(jq .tid <<<"$line")
	want=$(jq .bytes <<<"$line")
	got=$(jq -s "[.[] | .threads[]? | select(.pid == $tid)] | last | .tx_total" "$TMP/threads.json")
	check_eq "threads: thread $tid TX exact" "$got" "$want"
done <"$TMP/msend.txt"
sum_threads=$(jq -s "[.[] | .threads[]? | select(.tgid == $sender)] | group_by(.pid) |
	map(last.tx_total) | add" "$TMP/threads.json")
check_eq "threads: thread rows sum to the process row" \
	"$sum_threads" "$(last_value "$TMP/procs.json" ".pid == $sender" tx_total)"
check_eq "threads: process total exact" "$sum_threads" "$(jq -s 'map(.bytes) | add' "$TMP/msend.txt")"

# --- 100 threads on a 64-slot table: colliding threads fall back to task storage, still exact ---
port=$(free_port)
start_ebtop slots -d 0.25 --threads --net-slots 64 || fail "slots: ebtop start"
$NETLOAD tcp-sink 127.0.0.1 "$port" 100 >"$TMP/ssink.txt" &
sink=$!
wait_ready "$TMP/ssink.txt"
$NETLOAD tcp-send 127.0.0.1 "$port" 1000 100 >"$TMP/ssend.txt" &
sender=$!
wait "$sender" "$sink"
sleep 0.6
stop_ebtop slots
jq -s "[.[] | .threads[]? | select(.tgid == $sender)] | group_by(.pid) | map({key: (.[0].pid | tostring),
	value: last.tx_total}) | from_entries" "$TMP/slots.json" >"$TMP/slots-got.json"
wrong=$(jq -r --slurpfile got "$TMP/slots-got.json" -s \
	'[.[] | select($got[0][.tid | tostring] != .bytes)] | length' "$TMP/ssend.txt")
check_eq "slots: every one of 100 threads exact" "$wrong" 0
fallbacks=$(jq -s 'last | .self.errors.net_slot_fallbacks' "$TMP/slots.json")
check_true "slots: the fallback path was used ($fallbacks events)" test "$fallbacks" -gt 0
