#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Retransmissions: 5% of the packets to one loopback port dropped; RETX matches ss -ti on that socket, 0 elsewhere.
. "$(dirname "$0")/lib.sh"
LOAD=$TOOLS/conn_load
BYTES=$((16 << 20))
trap 'exit 1' INT TERM # the EXIT trap removes the rule on these too

wait_listening() { for _ in $(seq 100); do grep -q listening "$1" 2>/dev/null && return; sleep 0.05; done; }

# ss's counters of the one connection to port $1: "retrans send-q acked" (retrans:a/TOTAL, none
# when 0; acked: bytes_acked less the SYN's one, the data bytes the peer acknowledged).
ss_conn() {
	ss -tinH state established "( dport = :$1 )" | awk '
		NR == 1 { q = $2 }
		{ for (i = 1; i <= NF; i++) {
			if ($i ~ /^retrans:/) { split($i, a, "/"); r = a[2] }
			if ($i ~ /^bytes_acked:/) { split($i, a, ":"); k = a[2] - 1 } } }
		END { print (r == "" ? 0 : r), q, k }'
}

if ! command -v iptables >/dev/null; then
	fail "iptables missing (make deps installs it)"
	exit 0
fi
drop=$(free_port)
clean=$(free_port)
while [ "$clean" = "$drop" ]; do clean=$(free_port); done
rule=(INPUT -i lo -p tcp --dport "$drop" -m statistic --mode random --probability 0.05
	-m comment --comment "ebtop-test-$$" -j DROP)
on_exit "iptables -D ${rule[*]}"
iptables -I "${rule[@]}" || { fail "iptables rule could not be added"; exit 0; }

retrans_before=$(nstat -asz TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}')
start_ebtop retrans -d 0.25 || fail "retrans: ebtop start"
pids=()
for p in "$drop" "$clean"; do
	$LOAD server -p "$p" -n 1 -t 40 >"$TMP/srv-$p.txt" &
	pids+=($!)
	on_exit "kill $!"
	wait_listening "$TMP/srv-$p.txt"
done
# Each client is asked to send 16 MiB and keeps its socket open 30 s at most: ss can read it meanwhile.
$LOAD client -p "$drop" -n 1 -b "$BYTES" -H 30000 -t 40 >"$TMP/cli-drop.txt" &
dpid=$!
on_exit "kill $dpid"
$LOAD client -p "$clean" -n 1 -b $((2 << 20)) -H 30000 -t 40 >"$TMP/cli-clean.txt" &
cpid=$!
on_exit "kill $cpid"

# Everything acknowledged (send queue empty, ebtop counted what the kernel says the peer
# acknowledged): no more retransmissions come.
for _ in $(seq 300); do
	read -r r_drop q_drop a_drop < <(ss_conn "$drop")
	read -r r_clean q_clean _ < <(ss_conn "$clean")
	[ "$q_drop" = 0 ] && [ "$q_clean" = 0 ] && [ -n "$a_drop" ] &&
		[ "$(last_value "$TMP/retrans.json" ".pid == $dpid" tx_total)" = "$a_drop" ] && break
	sleep 0.1
done
read -r r_drop q_drop _ < <(ss_conn "$drop")
read -r r_clean q_clean _ < <(ss_conn "$clean")
sleep 0.6 # a snapshot after the counters settled
kill "$dpid" "$cpid"
wait "$dpid" "$cpid" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
sleep 0.6
stop_ebtop retrans
iptables -D "${rule[@]}"
retrans_after=$(nstat -asz TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}')

f=$TMP/retrans.json
conn_retrans() {
	jq -s "[.[] | .processes[]? | select(.pid == $1) | .connections[]? | select(.rport == $2)]
		| last | .retrans" "$f"
}
e_drop=$(conn_retrans "$dpid" "$drop")
e_clean=$(conn_retrans "$cpid" "$clean")
echo "ss -ti retrans: dropped port $r_drop, clean port $r_clean; ebtop: $e_drop, $e_clean;" \
	"nstat TcpRetransSegs +$((retrans_after - retrans_before))"
check_true "dropped port: retransmissions seen ($e_drop)" test "${e_drop:-0}" -gt 0
# Exact: ebtop reads the same per-socket counter (tcp_sock.total_retrans) that ss prints.
check_eq "dropped port: ebtop RETR vs ss -ti retrans (same socket)" "$e_drop" "$r_drop"
# Exact against the kernel's own per-socket counter. Nothing is dropped on that port, but a
# loaded machine can still make the kernel retransmit (a late ACK): ss then says so too.
check_eq "clean port: ebtop RETR vs ss -ti retrans (same socket)" "$e_clean" "$r_clean"
if [ "$r_clean" = 0 ]; then
	check_eq "clean port: no retransmissions" "$e_clean" 0
	check_eq "clean port: process RETX% 0 throughout" \
		"$(jq -s "[.[] | .processes[]? | select(.pid == $cpid) | .retx] | max" "$TMP/retrans.json")" 0
else
	echo "clean port: the kernel retransmitted $r_clean segments itself (busy machine); 0 not checked"
fi
# The kernel's system-wide counter includes other sockets' retransmissions: an upper bound.
check_true "nstat TcpRetransSegs grew at least as much" \
	test $((retrans_after - retrans_before)) -ge "${e_drop:-0}"
check_eq "dropped port: process RETX% above 0 in some interval" \
	"$(jq -s "[.[] | .processes[]? | select(.pid == $dpid) | .retx] | max > 0" "$f")" true
# Reference: what the server's recv() calls returned on that connection, read to EOF after
# the client was killed (nothing was left unacknowledged: send queue empty above).
check_eq "client TX exact despite the drops" "$(last_value "$f" ".pid == $dpid" tx_total)" \
	"$(awk '$1 != "listening" {s += $2} END {print s}' "$TMP/srv-$drop.txt")"
check_eq "rule removed" "$(iptables -S INPUT | grep -c "ebtop-test-$$")" 0
