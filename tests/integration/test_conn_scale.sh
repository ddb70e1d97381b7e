#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scale: 10,000 concurrent loopback connections all tracked (checked against ss); churn leaves no entries behind.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load
N=10000

# Waits until $1 has more than $2 lines; prints the new count.
wait_lines() {
	local n
	for _ in $(seq 200); do
		n=$(wc -l <"$1")
		[ "$n" -gt "$2" ] && { echo "$n"; return; }
		sleep 0.1
	done
	echo "$n"
}
# A complete snapshot after everything before now: two more lines, the last one.
next_snapshot() {
	local n
	n=$(wc -l <"$1")
	n=$(wait_lines "$1" $((n + 1)))
	sed -n "${n}p" "$1"
}
occ() { jq ".occupancy.$2" <<<"$1"; }

port=$(free_port)
"$EBTOP" -b --connections --json -d 1 --filter "conn.lport = $port or conn.rport = $port" \
	>"$TMP/scale.json" 2>"$TMP/scale.err" &
epid=$!
on_exit "kill $epid"
wait_lines "$TMP/scale.json" 0 >/dev/null
base=$(next_snapshot "$TMP/scale.json")
echo "before: $(occ "$base" sockets) sockets, $(occ "$base" peers) peers tracked"

# --- 10,000 connections from one process to another's listener, one byte each way, held ---
$LOAD many -p "$port" -n "$N" -H 30000 -t 50 >"$TMP/many.txt" &
mpid=$!
on_exit "kill $mpid"
for _ in $(seq 450); do grep -q ready "$TMP/many.txt" && break; sleep 0.1; done
check_eq "many: $N connections up" "$(grep ready "$TMP/many.txt")" "ready $N"
snap=$(next_snapshot "$TMP/scale.json")
# The reference: the kernel's own socket table, filtered to the test port (both ends).
ss_port=$(ss -tnH state established "( sport = :$port or dport = :$port )" | wc -l)
ss_all=$(($(ss -tn state established | wc -l) - 1))
seen=$(jq --argjson p "$port" '[.connections[] | select(.state == "ESTAB")] | length' <<<"$snap")
echo "ss -tn state established: $ss_all on the machine, $ss_port on port $port; ebtop: $seen;" \
	"ebtop cpu $(jq .self_cpu_pct <<<"$snap")% at $(occ "$snap" sockets) sockets"
check_eq "10k: ebtop's established connections on the port vs ss" "$seen" "$ss_port"
check_eq "10k: both ends of every connection" "$seen" $((2 * N))
srvpid=$(awk '/^server/ {print $2}' "$TMP/many.txt")
check_eq "10k: client ends owned by the connecting process" \
	"$(jq --argjson m "$mpid" --argjson p "$port" '[.connections[] | select(.rport == $p and .pid == $m)] | length' <<<"$snap")" "$N"
check_eq "10k: server ends owned by the accepting process" \
	"$(jq --argjson m "$srvpid" --argjson p "$port" '[.connections[] | select(.lport == $p and .pid == $m)] | length' <<<"$snap")" "$N"

check_true "10k: socket storage holds them ($(occ "$snap" sockets) >= $((2 * N)))" \
	test "$(occ "$snap" sockets)" -ge $((2 * N))
kill -TERM "$mpid"
wait "$mpid"
next_snapshot "$TMP/scale.json" >/dev/null
after=$(next_snapshot "$TMP/scale.json")
check_eq "10k: every connection shown closed once" \
	"$(jq -s '[.[].connections[] | select(.closed)] | length' "$TMP/scale.json")" $((2 * N))
check_true "10k: socket storage back to where it was ($(occ "$after" sockets) <= $(occ "$base" sockets) + 20)" \
	test "$(occ "$after" sockets)" -le $(($(occ "$base" sockets) + 20))

# --- churn: 5,000 short TCP connections, then 2,000 short-lived UDP sockets ---
$LOAD churn -p "$(free_port)" -n 5000 -t 30 >"$TMP/churn.txt"
check_eq "churn: exit status" "$?" 0
cat "$TMP/churn.txt"
uport=$(free_port)
$LOAD udp-server -p "$uport" -n 2000 -t 30 >"$TMP/udps.txt" &
upid=$!
on_exit "kill $upid"
for _ in $(seq 100); do grep -q listening "$TMP/udps.txt" && break; sleep 0.05; done
$LOAD udp-client -p "$uport" -n 2000 -b 100 -r 1 -t 30 >"$TMP/udpc.txt"
check_eq "udp churn: client exit status" "$?" 0
wait "$upid"
next_snapshot "$TMP/scale.json" >/dev/null
after=$(next_snapshot "$TMP/scale.json")
peak=$(jq -s '[.[].occupancy.peers] | max' "$TMP/scale.json")
echo "after churn: $(occ "$after" sockets) sockets, $(occ "$after" peers) peers tracked (peak $peak)"
# The closed sockets' peer rows were there (one per client socket, and the server's) and went.
check_true "udp churn: peer rows were tracked ($peak >= 2000)" test "$peak" -ge 2000
check_true "churn: socket storage not grown ($(occ "$after" sockets) <= $(occ "$base" sockets) + 20)" \
	test "$(occ "$after" sockets)" -le $(($(occ "$base" sockets) + 20))
check_true "churn: peers table not grown ($(occ "$after" peers) <= $(occ "$base" peers) + 20)" \
	test "$(occ "$after" peers)" -le $(($(occ "$base" peers) + 20))
kill -TERM "$epid"
wait "$epid"
check_eq "ebtop exit status" "$?" 0
check_eq "no sanitizer report" "$(grep -cE 'Sanitizer|runtime error' "$TMP/scale.err")" 0
