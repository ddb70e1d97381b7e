#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# iperf3 on loopback: ebtop's per-process TX/RX against iperf3's own byte counts, both directions.
. "$(dirname "$0")/lib.sh"

run_case() {
	local label=$1 reverse=$2 port
	port=$(free_port)
	start_ebtop "$label" -d 0.25 || { fail "$label: ebtop start"; return; }
	iperf3 -s -1 -p "$port" >"$TMP/$label-server.txt" 2>&1 &
	local spid=$!
	on_exit "kill $spid"
	sleep 0.3
	iperf3 -c 127.0.0.1 -p "$port" -t 2 $reverse -J >"$TMP/$label-client.json" &
	local cpid=$!
	wait "$cpid"
	wait "$spid"
	sleep 0.8 # the exit records reach the next snapshot
	stop_ebtop "$label"

	local sent recv ctx crx stx srx
	sent=$(jq '.end.sum_sent.bytes' "$TMP/$label-client.json")
	recv=$(jq '.end.sum_received.bytes' "$TMP/$label-client.json")
	ctx=$(last_value "$TMP/$label.json" ".pid == $cpid" tx_total)
	crx=$(last_value "$TMP/$label.json" ".pid == $cpid" rx_total)
	stx=$(last_value "$TMP/$label.json" ".pid == $spid" tx_total)
	srx=$(last_value "$TMP/$label.json" ".pid == $spid" rx_total)
	# 1%: the spec's bound. ebtop also counts iperf3's control connection (a few hundred bytes).
	if [ -z "$reverse" ]; then
		check_near "$label: client TX vs iperf3 sent" "$ctx" "$sent" 0.01
		check_near "$label: server RX vs iperf3 received" "$srx" "$recv" 0.01
	else
		check_near "$label: server TX vs iperf3 sent" "$stx" "$sent" 0.01
		check_near "$label: client RX vs iperf3 received" "$crx" "$recv" 0.01
	fi
	check_eq "$label: exited processes marked" \
		"$(jq -s "[.[] | .processes[]? | select(.pid == $cpid and .exited)] | length" "$TMP/$label.json")" 1
}

run_case tcp ""
run_case tcp-reverse "-R"
