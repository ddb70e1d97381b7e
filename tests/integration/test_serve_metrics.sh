#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop serve /metrics: promtool lint, OpenMetrics negotiation, and a real Prometheus scraping it
# while iperf3 runs, whose PromQL rate must match iperf3's own per-second byte counts.
. "$(dirname "$0")/serve_lib.sh"

# --metrics-pid: other iperf3 runs may share this machine; the pid label picks ours.
# -d 0.25: a scrape sees counters up to one interval old; a short interval keeps that lag's
# jitter (on a loaded machine) small against the 15 s rate window.
start_serve metrics -d 0.25 --metrics-pid || { fail "serve start"; exit 0; }
# Some direct disk I/O so that the per-disk metrics exist.
dd if=/dev/zero of="$TMP/dd" bs=64k count=64 oflag=direct 2>/dev/null
sleep 0.6

# promtool: parses the text format and lints names, units, HELP and TYPE.
curl -s "$URL/metrics" >"$TMP/metrics.txt"
lint=$(promtool check metrics <"$TMP/metrics.txt" 2>&1)
check_true "promtool check metrics: no findings${lint:+ ($lint)}" [ -z "$lint" ]
check_true "text format has process counters" \
	grep -q '^ebtop_process_network_transmit_bytes_total{' "$TMP/metrics.txt"
# Every completed request is in the latency histogram once (same kernel events, summed apart).
if grep -q '^ebtop_disk_request_duration_seconds_count' "$TMP/metrics.txt"; then
	d=$(awk -F'[{}]' '/^ebtop_disk_request_duration_seconds_count/ { print $2; exit }' "$TMP/metrics.txt")
	hc=$(awk -v d="$d" '$1 == "ebtop_disk_request_duration_seconds_count{" d "}" { print $2 }' "$TMP/metrics.txt")
	rq=$(awk -v d="$d" '$1 == "ebtop_disk_read_requests_total{" d "}" ||
		$1 == "ebtop_disk_write_requests_total{" d "}" { s += $2 } END { print s }' "$TMP/metrics.txt")
	check_eq "disk histogram count = read + write requests ($d)" "$hc" "$rq"
fi
check_eq "default content type" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$URL/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8"

# OpenMetrics, with the Accept header Prometheus itself sends.
accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
curl -s -D "$TMP/om.hdr" -H "Accept: $accept" "$URL/metrics" >"$TMP/om.txt"
check_eq "OpenMetrics content type" \
	"$(sed -n 's/^Content-Type: //Ip' "$TMP/om.hdr" | tr -d '\r')" \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"
check_eq "OpenMetrics ends with # EOF" "$(tail -n 1 "$TMP/om.txt")" "# EOF"
check_true "OpenMetrics counter family named without _total" \
	grep -q '^# TYPE ebtop_process_network_transmit_bytes counter$' "$TMP/om.txt"
check_eq "text/plain Accept gets text" \
	"$(curl -s -o /dev/null -w '%{content_type}' -H 'Accept: text/plain' "$URL/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8"

# A real Prometheus scraping every second.
pport=$(free_port)
mkdir -p "$TMP/prom"
cat >"$TMP/prom/prometheus.yml" <<CFG
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ebtop
    static_configs:
      - targets: ['${URL#http://}']
CFG
prometheus --config.file="$TMP/prom/prometheus.yml" --storage.tsdb.path="$TMP/prom/data" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$TMP/prom/log" 2>&1 &
ppid_=$!
on_exit "kill $ppid_; wait $ppid_"
PROM="http://127.0.0.1:$pport"
for _ in $(seq 100); do
	curl -sf "$PROM/-/ready" >/dev/null && break
	sleep 0.2
done

# iperf3 paced at a fixed rate, 1-second intervals in its JSON.
iport=$(free_port)
iperf3 -s -1 -p "$iport" >/dev/null 2>&1 &
spid=$!
on_exit "kill $spid"
sleep 0.3
t0=$(date +%s.%N)
iperf3 -c 127.0.0.1 -p "$iport" -t 24 -b 800M -i 1 -J >"$TMP/iperf.json" &
cpid=$!
wait "$cpid"
wait "$spid"
sleep 1.5 # one more scrape after the end

# rate over [15s] ending 20 s into the run, against iperf3's bytes over its seconds 5..20.
teval=$(awk -v t="$t0" 'BEGIN { printf "%.3f", t + 20 }')
q="sum(rate(ebtop_process_network_transmit_bytes_total{comm=\"iperf3\",pid=~\"$cpid|$spid\"}[15s]))"
got=$(curl -s --get "$PROM/api/v1/query" --data-urlencode "query=$q" --data-urlencode "time=$teval" |
	jq -r '.data.result[0].value[1] // empty')
ref=$(jq '[.intervals[].sum | select(.start >= 4.99 and .end <= 20.01)] |
	(map(.bytes) | add) / (map(.seconds) | add)' "$TMP/iperf.json")
# 5%: the issue's bound. Sources of error: Prometheus' extrapolation at the window edges and
# the offset between our clock reading before the client starts and iperf3's own t=0.
check_near "PromQL rate vs iperf3 sender rate (bytes/s)" "$got" "$ref" 0.05
up=$(curl -s --get "$PROM/api/v1/query" --data-urlencode 'query=up{job="ebtop"}' |
	jq -r '.data.result[0].value[1] // empty')
check_eq "Prometheus target up" "$up" 1
check_eq "Prometheus sees ebtop_up" "$(curl -s --get "$PROM/api/v1/query" \
	--data-urlencode 'query=ebtop_up' | jq -r '.data.result[0].value[1] // empty')" 1

stop_serve TERM
check_eq "SIGTERM: exit status" "$SERVE_RC" 0
