#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# UDP: an unconnected server socket gets one row per peer up to --udp-peers, the rest in one "other peers" row.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load

port=$(free_port)
start_ebtop udp -d 0.25 --udp-peers 16 || fail "udp: ebtop start"
$LOAD udp-server -p "$port" -n 100 -t 20 >"$TMP/srv.txt" &
spid=$!
on_exit "kill $spid"
for _ in $(seq 100); do grep -q listening "$TMP/srv.txt" && break; sleep 0.05; done
# 20 client sockets, socket i sends five datagrams of 200 + i bytes and reads the echoes.
$LOAD udp-client -p "$port" -n 20 -b 200 -r 5 -t 20 >"$TMP/cli.txt" &
cpid=$!
wait "$cpid"
check_eq "client exit status" "$?" 0
wait "$spid"
sleep 0.6
stop_ebtop udp

f=$TMP/udp.json
# The server's last row per peer: "rport rx tx other".
jq -rs --argjson s "$spid" --argjson p "$port" '[.[] | .processes[]? | select(.pid == $s)
	| .connections[]? | select(.proto == "udp" and .lport == $p)]
	| group_by([.rport, .other_peers]) | map(last | "\(.rport) \(.rx_total) \(.tx_total) \(.other_peers)") | .[]' \
	"$f" >"$TMP/rows.txt"
grep -v listening "$TMP/srv.txt" | sort >"$TMP/srv.sorted"
named=$(grep -c ' false$' "$TMP/rows.txt")
check_eq "server: one row per peer up to --udp-peers" "$named" 16
check_eq "server: one 'other peers' row" "$(grep -c ' true$' "$TMP/rows.txt")" 1
# Reference: the server's own per-peer byte counts (what recvfrom returned, what sendto sent).
check_eq "server: each named peer's bytes exact both ways (mismatches)" \
	"$(grep ' false$' "$TMP/rows.txt" | sort | join - "$TMP/srv.sorted" |
		awk '$2 != $5 || $3 != $6 {b++} {n++} END {print n - 0 "/" b + 0}')" "16/0"
all_rx=$(awk '{s += $2} END {print s}' "$TMP/srv.sorted")
named_rx=$(grep ' false$' "$TMP/rows.txt" | sort | join - "$TMP/srv.sorted" | awk '{s += $5} END {print s}')
check_eq "server: 'other peers' holds the other four peers' bytes" \
	"$(awk '/ true$/ {print $2 "/" $3}' "$TMP/rows.txt")" "$((all_rx - named_rx))/$((all_rx - named_rx))"
check_eq "server: rows add up to the process's UDP RX" \
	"$(awk '{s += $2} END {print s}' "$TMP/rows.txt")" "$(last_value "$f" ".pid == $spid" udp_rx_total)"
# Each client socket's datagrams to the server, exact; replies read without an address are '*'.
check_eq "clients: TX to the server exact on each socket (mismatches)" \
	"$(jq -rs --argjson c "$cpid" --argjson p "$port" '[.[] | .processes[]? | select(.pid == $c)
		| .connections[]? | select(.rport == $p)] | group_by(.lport)
		| map(last | "\(.lport) \(.tx_total)") | .[]' "$f" | sort | join - <(sort "$TMP/cli.txt") |
		awk '$2 != $3 {b++} {n++} END {print n - 0 "/" b + 0}')" "20/0"
check_eq "clients: every reply byte on a connection row" \
	"$(jq -s --argjson c "$cpid" '[.[] | .processes[]? | select(.pid == $c) | .connections[]?
		| select(.proto == "udp")] | group_by([.lport, .other_peers]) | map(last | .rx_total) | add' "$f")" \
	"$(awk '{s += $3} END {print s}' "$TMP/cli.txt")"
check_eq "closed sockets end as closed rows" \
	"$(jq -s --argjson s "$spid" '[.[] | .processes[]? | select(.pid == $s) | .connections[]? | select(.closed)] | length' "$f")" 17
