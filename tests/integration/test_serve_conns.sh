#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop serve connections and events: one TCP connection of a known byte count (netload) in
# /api/v1/connections, /api/v1/processes/{pid}, the connect/accept/close events and the exec
# event of the sender; per-connection metrics with their final counters; bad parameters.
. "$(dirname "$0")/serve_lib.sh"

NETLOAD=$TOOLS/netload
BYTES=3000001 # odd, so that it is no buffer size

# -d 1: a closed connection is listed for one interval; polls below run far more often.
start_serve conns -d 1 --metrics-connections --metrics-connections-top 100000 ||
	{ fail "serve start"; exit 0; }

# jqt FILE EXPR: EXPR holds on FILE.
jqt() { jq -e "$2" "$1" >/dev/null; }
# poll PATH EXPR: GETs PATH until EXPR holds on the body (up to 10 s); the body stays in $TMP/body.
poll() {
	for _ in $(seq 200); do
		[ "$(http_code "$1")" = 200 ] && jqt "$TMP/body" "$2" && return 0
		sleep 0.05
	done
	return 1
}
urlenc() { jq -rn --arg s "$1" '$s | @uri'; }

port=$(free_port)
"$NETLOAD" tcp-sink 127.0.0.1 "$port" 1 >"$TMP/sink.out" 2>&1 &
sink=$!
on_exit "kill $sink"
for _ in $(seq 100); do grep -q ready "$TMP/sink.out" && break; sleep 0.05; done

# The sender sends BYTES, says so, and keeps the connection open until its stdin ends.
mkfifo "$TMP/hold"
"$NETLOAD" tcp-send 127.0.0.1 "$port" "$BYTES" 0 hold <"$TMP/hold" >"$TMP/send.out" 2>&1 &
sender=$!
on_exit "kill $sender"
exec 9>"$TMP/hold"
for _ in $(seq 200); do grep -q '"sent"' "$TMP/send.out" && break; sleep 0.05; done
lport=$(jq -r 'select(.sent) | .lport' "$TMP/send.out")
# The reference: what send() took, as netload says (not BYTES, the count it was asked to send).
sent=$(jq -r 'select(.sent) | .sent' "$TMP/send.out")
check_true "netload connected and sent $sent bytes (local port $lport)" test -n "$lport" -a -n "$sent"

# Live: both ends of the connection, bytes exactly as the tool sent them (all sent before the
# tool said so; the sink reads them within an interval or two, and TCP delivers every one).
f_send=$(urlenc "conn.rport = $port and conn.lport = $lport")
f_sink=$(urlenc "conn.lport = $port")
check_true "/api/v1/connections: the sender's end, all bytes sent" \
	poll "/api/v1/connections?filter=$f_send" ".connections[0].tx_total == $sent"
check_eq "sender's end: pid, ports, state" \
	"$(jq -r '.connections[0] | "\(.pid) \(.proto) \(.laddr) \(.lport) \(.raddr) \(.rport) \(.state) \(.passive)"' "$TMP/body")" \
	"$sender tcp 127.0.0.1 $lport 127.0.0.1 $port ESTAB false"
check_eq "filter narrows to the one connection" "$(jq .total "$TMP/body")" 1
check_true "/api/v1/connections: the sink's end, all bytes received" \
	poll "/api/v1/connections?filter=$f_sink" \
	"[.connections[] | select(.rport == $lport)][0].rx_total == $sent"
check_eq "sink's end: pid, ports, accepted" \
	"$(jq -r ".connections[] | select(.rport == $lport) | \"\(.pid) \(.lport) \(.passive)\"" "$TMP/body")" \
	"$sink $port true"
check_true "conn.lport filter: every row has the port" jqt "$TMP/body" \
	"[.connections[].lport] | all(. == $port)"
http_code "/api/v1/connections?limit=100000" >/dev/null
check_true "unfiltered: more rows than the filter's" jqt "$TMP/body" ".total >= 2"
check_true "sorted by rx_total descending" \
	poll "/api/v1/connections?sort=rx_total&limit=50" \
	'[.connections[].rx_total] as $v | $v == ($v | sort | reverse) and .sort == "rx_total"'
check_true "/api/v1/processes/{pid}: the sender's connection" \
	poll "/api/v1/processes/$sender" \
	"[.connections[] | select(.rport == $port and .lport == $lport)][0].tx_total == $sent"
check_true "process detail: connections_collected" jqt "$TMP/body" '.connections_collected'
# Segments: the kernel's own count for the socket (ss -i), now that the connection is idle.
segs=$(ss -tinH state established "( sport = :$lport )" |
	grep -oE '(^|[[:space:]])segs_out:[0-9]+' | cut -d: -f2 | head -1)
check_true "process segs_out_total = ss segs_out of its one socket (${segs:-none})" \
	poll "/api/v1/processes/$sender" ".process.segs_out_total == ${segs:-0} and ${segs:-0} > 0"

# Closed: the final counters, in the one interval that lists the closed connection.
exec 9>&-
wait "$sender"
check_eq "netload exit status" "$?" 0
wait "$sink"
# The sink's own count of what recv() returned, now that it read to EOF.
received=$(tail -1 "$TMP/sink.out" | jq .bytes)
check_true "/api/v1/connections: the closed connection's final counters" \
	poll "/api/v1/connections?filter=$f_send" \
	".connections[0].state == \"CLOSED\" and .connections[0].tx_total == $sent"

# Events: the sender's connect then close (bytes at close), the sink's accept then close.
check_true "/api/v1/events/connect?pid=sender: close with the bytes sent" \
	poll "/api/v1/events/connect?pid=$sender" \
	"[.events[].type] == [\"close\", \"connect\"]"
check_eq "sender's close event" \
	"$(jq -r '.events[0] | "\(.pid) \(.lport) \(.rport) \(.tx_bytes) \(.rx_bytes) \(.error)"' "$TMP/body")" \
	"$sender $lport $port $sent 0 null"
check_eq "sender's connect event" \
	"$(jq -r '.events[1] | "\(.pid) \(.comm) \(.laddr) \(.lport) \(.raddr) \(.rport)"' "$TMP/body")" \
	"$sender netload 127.0.0.1 $lport 127.0.0.1 $port"
check_true "events: newest first" jqt "$TMP/body" '.events[0].time >= .events[1].time'
check_true "events: lost counts present" jqt "$TMP/body" \
	'(.lost | type == "number") and (.lost_in_range | type == "number") and .kept == 10000'
check_true "/api/v1/events/connect?pid=sink: close with the bytes received" \
	poll "/api/v1/events/connect?pid=$sink" \
	"[.events[].type] == [\"close\", \"accept\"] and .events[0].rx_bytes == ${received:-null}"
check_eq "sink's accept event" "$(jq -r '.events[1] | "\(.lport) \(.rport)"' "$TMP/body")" \
	"$port $lport"
check_true "/api/v1/events/connect: the sender's events among all (limit 10000)" \
	poll "/api/v1/events/connect?limit=10000" \
	"[.events[] | select(.pid == $sender)] | length == 2"

# Exec: the sender's command line, as this script ran it.
check_true "/api/v1/events/exec?pid=sender" poll "/api/v1/events/exec?pid=$sender" '.total == 1'
check_eq "exec event argv" "$(jq -c '.events[0].argv' "$TMP/body")" \
	"$(jq -nc --args '$ARGS.positional' "$NETLOAD" tcp-send 127.0.0.1 "$port" "$BYTES" 0 hold)"
check_eq "exec event comm" "$(jq -r '.events[0].comm' "$TMP/body")" netload

# Per-connection metrics: the connection's series, final counters, and promtool's lint.
curl -s "$URL/metrics" >"$TMP/metrics.txt"
lint=$(promtool check metrics <"$TMP/metrics.txt" 2>&1)
check_true "promtool check metrics with --metrics-connections${lint:+ ($lint)}" [ -z "$lint" ]
series="comm=\"netload\",proto=\"tcp\",laddr=\"127.0.0.1\",lport=\"$lport\",raddr=\"127.0.0.1\",rport=\"$port\""
check_eq "ebtop_connection_transmit_bytes_total of the sender's connection" \
	"$(awk -v s="ebtop_connection_transmit_bytes_total{$series}" '$1 == s { print $2 }' "$TMP/metrics.txt")" \
	"$sent"
sink_series="comm=\"netload\",proto=\"tcp\",laddr=\"127.0.0.1\",lport=\"$port\",raddr=\"127.0.0.1\",rport=\"$lport\""
check_eq "ebtop_connection_receive_bytes_total of the sink's end" \
	"$(awk -v s="ebtop_connection_receive_bytes_total{$sink_series}" '$1 == s { print $2 }' "$TMP/metrics.txt")" \
	"$received"
for rb in exits conn_final events; do
	check_true "ebtop_ringbuf_lost_events_total{ringbuf=\"$rb\"}" \
		grep -q "^ebtop_ringbuf_lost_events_total{ringbuf=\"$rb\"} " "$TMP/metrics.txt"
done
for m in ebtop_process_tcp_sent_segments_total ebtop_process_tcp_retransmitted_segments_total \
	ebtop_process_connections ebtop_process_tcp_connects_total; do
	check_true "$m exported" grep -q "^$m{" "$TMP/metrics.txt"
done

# Bad parameters: 400 naming the parameter.
while read -r path param; do
	code=$(http_code "$path")
	check_eq "400 for $path" "$code $(jq -r '.parameter // ""' "$TMP/body")" "400 $param"
done <<'CASES'
/api/v1/connections?sort=nosuch sort
/api/v1/connections?order=up order
/api/v1/connections?limit=0 limit
/api/v1/connections?filter=conn.nosuch%20%3D%201 filter
/api/v1/connections?pid=1 pid
/api/v1/events/exec?limit=10001 limit
/api/v1/events/connect?pid=abc pid
/api/v1/events/connect?sort=tx sort
CASES

stop_serve TERM
check_eq "SIGTERM: exit status" "$SERVE_RC" 0
check_true "no sanitizer report" bash -c "! grep -qE 'Sanitizer|runtime error' '$TMP/conns.err'"
