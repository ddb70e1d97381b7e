#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Connection errors on the right process: a refused connect and a connection the peer resets.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load

wait_listening() { for _ in $(seq 100); do grep -q listening "$1" 2>/dev/null && return; sleep 0.05; done; }

# The last row of process $2's connection to remote port $3, as "field field ...".
conn_of() {
	jq -rs --argjson p "$2" --argjson port "$3" "[.[] | .processes[]? | select(.pid == \$p)
		| .connections[]? | select(.rport == \$port)] | last | $4" "$1"
}

start_ebtop errors -d 0.25 || fail "errors: ebtop start"

# --- connect() to a port nothing listens on ---
port=$(free_port)
$LOAD client -p "$port" -n 1 -b 0 >"$TMP/refused.txt" &
rpid=$!
wait "$rpid"
# Reference: the client's own connect() failed with ECONNREFUSED (its exit status 3).
check_eq "refused: the client saw ECONNREFUSED" "$?/$(cat "$TMP/refused.txt")" "3/refused"

# --- the server resets the connection after 1000 bytes; the client holds it meanwhile ---
rport=$(free_port)
$LOAD server -p "$rport" -n 1 -A 1000 -t 20 >"$TMP/srv.txt" &
spid=$!
on_exit "kill $spid"
wait_listening "$TMP/srv.txt"
$LOAD client -p "$rport" -n 1 -b 1000 -H 500 >"$TMP/reset.txt" &
cpid=$!
wait "$cpid" "$spid"
# Reference: the client's recv() after the hold returned ECONNRESET.
check_true "reset: the client saw ECONNRESET" grep -q " reset$" "$TMP/reset.txt"
sleep 0.8 # the closed sockets' final records reach a snapshot
stop_ebtop errors

f=$TMP/errors.json
check_eq "refused: counted on the client" "$(last_value "$f" ".pid == $rpid" conn_refused_total)" 1
check_eq "refused: one error in all" "$(last_value "$f" ".pid == $rpid" conn_err_total)" 1
check_eq "refused: no connection made" "$(last_value "$f" ".pid == $rpid" conn_out_total)" 0
check_eq "refused: its connection row" "$(conn_of "$f" "$rpid" "$port" '"\(.err) \(.closed) \(.state)"')" \
	"refused true CLOSED"
check_eq "refused: the rate showed in some interval" \
	"$(jq -s "[.[] | .processes[]? | select(.pid == $rpid) | .conn_err] | max > 0" "$f")" true
check_eq "refused: no other process charged" \
	"$(jq -s "[.[] | .processes[]? | select(.pid != $rpid) | .connections[]? | select(.rport == $port)] | length" "$f")" 0
check_eq "reset: counted on the client" "$(last_value "$f" ".pid == $cpid" conn_reset_total)" 1
check_eq "reset: the client made the connection" "$(last_value "$f" ".pid == $cpid" conn_out_total)" 1
# TX: what the client's send() calls took, as it printed it (asked: 1000).
check_eq "reset: its connection row" "$(conn_of "$f" "$cpid" "$rport" '"\(.err) \(.rst_in) \(.tx_total)"')" \
	"reset 1 $(awk '{print $2}' "$TMP/reset.txt")"
check_eq "reset: the server sent it, no error on its side" \
	"$(last_value "$f" ".pid == $spid" conn_err_total)/$(last_value "$f" ".pid == $spid" conn_in_total)" "0/1"
