#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# 50 parallel TCP connections, each with its own byte count: exact per connection, right process, IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load

wait_listening() { for _ in $(seq 100); do grep -q listening "$1" 2>/dev/null && return; sleep 0.05; done; }

# Last row of every connection of process $2 whose field $3 is the test port $4: "port tx rx closed".
conn_rows() {
	jq -rs --argjson p "$2" --arg k "$3" --argjson port "$4" --arg peer "$5" '
		[.[] | .processes[]? | select(.pid == $p) | .connections[]? | select(.[$k] == $port)]
		| group_by(.[$peer]) | map(last | "\(.[$peer]) \(.tx_total) \(.rx_total) \(.closed) \(.laddr)")
		| .[]' "$1"
}

run_case() {
	local label=$1 flag=$2 addr=$3 port base
	port=$(free_port)
	base=$((100000 + RANDOM))
	start_ebtop "$label" -d 0.25 || { fail "$label: ebtop start"; return; }
	$LOAD server -p "$port" $flag -n 50 -t 20 >"$TMP/$label-srv.txt" &
	local spid=$!
	on_exit "kill $spid"
	wait_listening "$TMP/$label-srv.txt"
	if [ "$label" = v4 ]; then
		# The connection table next to it (a connection shows once it moves a byte or
		# changes state, so this ebtop starts first).
		"$EBTOP" -b --connections --sort tx_total --bytes --top 3 -n 6 -d 0.5 \
			--filter "conn.rport = $port" >"$TMP/table.txt" 2>&1 &
		local tpid=$!
		on_exit "kill $tpid"
		for _ in $(seq 100); do grep -q LOCAL "$TMP/table.txt" && break; sleep 0.05; done
	fi
	# Connection i is asked to send base + 1000 * i bytes; all 50 are open before any sends.
	$LOAD client -p "$port" $flag -n 50 -b "$base" -k 1000 -H 1500 >"$TMP/$label-cli.txt" &
	local cpid=$!
	if [ "$label" = v4 ]; then
		wait "$tpid"
		check_true "$label: table rows name the remote port" \
			grep -q "127.0.0.1:$port " "$TMP/table.txt"
		check_eq "$label: table rows belong to the client" \
			"$(awk '/ LOCAL /{n=NR} n && NR > n && $1 ~ /^[0-9]+$/ {print $1}' "$TMP/table.txt" | sort -u)" "$cpid"
	fi
	wait "$cpid"
	check_eq "$label: client exit status" "$?" 0
	if [ "$label" = v4 ]; then
		# The last snapshot with rows: the three biggest senders, biggest first, exact. The
		# reference: the three biggest counts the client says its send() calls took.
		check_eq "$label: --connections --top 3 --sort tx_total --filter conn.rport" \
			"$(awk '/ LOCAL /{n=NR} n && NR > n && $1 ~ /^[0-9]+$/ {print $9}' "$TMP/table.txt" | tail -3 | tr '\n' ' ')" \
			"$(awk '$2 ~ /^[0-9]+$/ {print $2}' "$TMP/$label-cli.txt" | sort -nr | head -3 | tr '\n' ' ')"
	fi
	wait "$spid"
	sleep 0.6 # the final records reach the next snapshot
	stop_ebtop "$label"

	# References: what the client wrote and what the server read, per connection.
	sort "$TMP/$label-cli.txt" >"$TMP/$label-cli.sorted"
	grep -v listening "$TMP/$label-srv.txt" | sort >"$TMP/$label-srv.sorted"
	conn_rows "$TMP/$label.json" "$cpid" rport "$port" lport | sort >"$TMP/$label-ecli.txt"
	conn_rows "$TMP/$label.json" "$spid" lport "$port" rport | sort >"$TMP/$label-esrv.txt"
	check_eq "$label: client connections seen" "$(wc -l <"$TMP/$label-ecli.txt")" 50
	check_eq "$label: server connections seen" "$(wc -l <"$TMP/$label-esrv.txt")" 50
	# Exact: every send and receive call is counted on its socket, nothing else is.
	check_eq "$label: client TX exact on each connection (mismatches)" \
		"$(join "$TMP/$label-cli.sorted" "$TMP/$label-ecli.txt" | awk '$2 != $3 || $4 != 0 {b++} {n++} END {print n - 0 "/" b + 0}')" "50/0"
	check_eq "$label: server RX exact on each connection (mismatches)" \
		"$(join "$TMP/$label-srv.sorted" "$TMP/$label-esrv.txt" | awk '$2 != $4 || $3 != 0 {b++} {n++} END {print n - 0 "/" b + 0}')" "50/0"
	check_eq "$label: every connection ends as closed" \
		"$(awk '$4 != "true"' "$TMP/$label-ecli.txt" "$TMP/$label-esrv.txt" | wc -l)" 0
	check_eq "$label: addresses are $addr" \
		"$(awk '{print $5}' "$TMP/$label-ecli.txt" "$TMP/$label-esrv.txt" | sort -u)" "$addr"
	# Attribution: no other process owns a connection on the test port.
	check_eq "$label: no connection on the port attributed elsewhere" \
		"$(jq -s --argjson c "$cpid" --argjson s "$spid" --argjson port "$port" \
			'[.[] | .processes[]? | select(.pid != $c and .pid != $s) | .connections[]?
			  | select(.lport == $port or .rport == $port)] | length' "$TMP/$label.json")" 0
	check_eq "$label: client made 50 connections" \
		"$(last_value "$TMP/$label.json" ".pid == $cpid" conn_out_total)" 50
	check_eq "$label: server accepted 50 connections" \
		"$(last_value "$TMP/$label.json" ".pid == $spid" conn_in_total)" 50
}

run_case v4 "" 127.0.0.1
run_case v6 -6 ::1
