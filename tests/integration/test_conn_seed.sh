#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Connections open before ebtop started: listed while idle, each on the process ss -p finds
# holding it; without the owner iterator they are still listed, with the reason said.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load
N=6

port=$(free_port)
$LOAD many -p "$port" -n "$N" -H 15000 -t 30 >"$TMP/many.txt" &
on_exit "kill $!"
for _ in $(seq 100); do grep -q ready "$TMP/many.txt" && break; sleep 0.05; done

# Reference: the kernel's socket table and the holders ss finds through /proc/PID/fd.
ss -tnpH "sport = :$port or dport = :$port" | grep ESTAB |
	sed -E 's/.*:([0-9]+) +[^ ]*:([0-9]+) +users:\(\("[^"]*",pid=([0-9]+),.*/\1 \2 \3/' |
	sort >"$TMP/ss.txt"
check_eq "ss sees both ends of each connection" "$(wc -l <"$TMP/ss.txt")" $((2 * N))

# Connections that were idle all along: only the start-up seeding can list them.
"$EBTOP" -b --connections --json -n 2 -d 0.5 >"$TMP/c.json" 2>"$TMP/c.err"
check_eq "ebtop exit status" "$?" 0
jq -r --argjson p "$port" 'select(.seq == 2) | .connections[]
	| select(.lport == $p or .rport == $p) | "\(.lport) \(.rport) \(.pid)"' "$TMP/c.json" |
	sort >"$TMP/ebtop.txt"
check_eq "each idle connection on the process ss names (lport rport pid)" \
	"$(tr '\n' ';' <"$TMP/ebtop.txt")" "$(tr '\n' ';' <"$TMP/ss.txt")"
check_eq "marked as open before ebtop (no age)" \
	"$(jq -r --argjson p "$port" 'select(.seq == 2) | [.connections[]
		| select((.lport == $p or .rport == $p) and .age == null)] | length' "$TMP/c.json")" \
	$((2 * N))

# Without the owner iterator: the same connections, owner unknown until they move a byte.
EBTOP_REFUSE=conn_seed_owner "$EBTOP" -b --connections --json -n 1 -d 0.5 >"$TMP/r.json" \
	2>"$TMP/r.err"
check_eq "owner iterator refused: ebtop exit status" "$?" 0
check_eq "owner iterator refused: connections still listed" \
	"$(jq -r --argjson p "$port" '[.connections[] | select(.lport == $p or .rport == $p)]
		| length' "$TMP/r.json")" $((2 * N))
check_true "owner iterator refused: the reason names the program" \
	jq -e '.features.connection_owners.available == false and
		(.features.connection_owners.reason | contains("conn_seed_owner"))' "$TMP/r.json"
