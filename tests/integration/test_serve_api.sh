#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop serve REST API: every endpoint's JSON and documented fields, 400/404/405 answers, a
# process's threads against /proc, 404 once it is gone, a unix socket, TLS and basic auth.
. "$(dirname "$0")/serve_lib.sh"

start_serve api -d 0.5 || { fail "serve start"; exit 0; }

# A process of our own, whose thread count /proc states.
sleep 60 &
spid=$!
on_exit "kill $spid"

# has_keys FILE JQPATH KEY...: the object at JQPATH has every key.
has_keys() {
	local file=$1 path=$2
	shift 2
	jq -e --args "$path as \$o | [\$ARGS.positional[] | . as \$k | \$o | has(\$k)] | all" \
		"$file" "$@" >/dev/null
}

# jqt FILE EXPR: EXPR holds on FILE.
jqt() { jq -e "$2" "$1" >/dev/null; }
one_of() { local v=$1; shift; for x in "$@"; do [ "$v" = "$x" ] && return 0; done; return 1; }

check_eq "/ landing page" "$(http_code /)" 200
check_true "/ links /metrics" grep -q 'href="/metrics"' "$TMP/body"
check_eq "/health" "$(http_code /health)" 200
check_true "/health fields" has_keys "$TMP/body" . status collecting last_snapshot_age_s seq \
	interval_s uptime_s
check_eq "/health status" "$(jq -r .status "$TMP/body")" ok

check_eq "/api/v1/processes" "$(http_code '/api/v1/processes?limit=5&sort=pid&order=asc')" 200
check_true "processes envelope" has_keys "$TMP/body" . seq time interval_s status sort order \
	total processes
check_eq "processes: limit honoured" "$(jq '.processes | length' "$TMP/body")" 5
check_true "processes: sorted by pid ascending" \
	jqt "$TMP/body" '[.processes[].pid] as $p | $p == ($p | sort)'
check_true "process row fields" has_keys "$TMP/body" '.processes[0]' pid ppid user name cmd \
	cgroup state threads tx rx tx_total rx_total start_ns exited
# Bounded by the snapshot, not by the request.
http_code '/api/v1/processes?limit=100000' >/dev/null
check_true "processes: total counts every row" \
	jqt "$TMP/body" '.total == (.processes | length) and .total > 5'

# Poll until the sleeper's first snapshot (no timed assertion: up to 5 s).
for _ in $(seq 50); do
	[ "$(http_code "/api/v1/processes/$spid")" = 200 ] && break
	sleep 0.1
done
check_eq "/api/v1/processes/{pid}" "$(http_code "/api/v1/processes/$spid")" 200
check_true "process detail fields" has_keys "$TMP/body" . process threads connections
check_eq "process detail: pid" "$(jq .process.pid "$TMP/body")" "$spid"
check_eq "threads vs /proc/PID/status" "$(jq '.threads | length' "$TMP/body")" \
	"$(awk '/^Threads:/ { print $2 }' "/proc/$spid/status")"
kill "$spid"
wait "$spid" 2>/dev/null
code=
for _ in $(seq 50); do
	code=$(http_code "/api/v1/processes/$spid")
	[ "$code" = 404 ] && break
	sleep 0.1
done
check_eq "process gone: 404" "$code" 404
check_true "404 body is a JSON error" jqt "$TMP/body" '.error | type == "string"'

check_eq "/api/v1/connections" "$(http_code /api/v1/connections)" 200
check_true "connections fields" has_keys "$TMP/body" . seq connections total collected
check_eq "/api/v1/disks" "$(http_code /api/v1/disks)" 200
check_true "disks fields" has_keys "$TMP/body" . seq disks total collected
for kind in exec connect; do
	check_eq "/api/v1/events/$kind" "$(http_code "/api/v1/events/$kind?limit=10")" 200
	check_true "events/$kind fields" has_keys "$TMP/body" . seq events total collected
done
# History: the sleeper's thread count, one point per second, from the database serve writes.
# Every stored sample (no step). The writer thread commits behind collection: poll until the
# sleeper's live rows are in (up to 10 s).
for _ in $(seq 100); do
	code=$(http_code "/api/v1/history?metric=threads&pid=$spid&from=-5m&to=now")
	[ "$code" = 200 ] && jqt "$TMP/body" '(.series[0].points // []) | map(.[1]) | max == 1' &&
		break
	sleep 0.1
done
check_eq "/api/v1/history" "$code" 200
check_true "history fields" has_keys "$TMP/body" . metric pid from to step series
# It had one thread while alive (reference: /proc above), none once ended.
check_true "history: points of the sleeper, at most its 1 thread" \
	jqt "$TMP/body" '.series[0].points | length > 0 and (map(.[1]) | max) == 1'
check_eq "history: too many points is a 400 on step" \
	"$(http_code '/api/v1/history?metric=threads&from=-1d&step=0.001s') $(jq -r .parameter "$TMP/body")" \
	"400 step"

# Bad parameters: 400 with the parameter named.
while read -r path param; do
	code=$(http_code "$path")
	check_eq "400 for $path" "$code $(jq -r '.parameter // ""' "$TMP/body")" "400 $param"
done <<'CASES'
/api/v1/processes?limit=0 limit
/api/v1/processes?limit=abc limit
/api/v1/processes?sort=nosuchfield sort
/api/v1/processes?order=sideways order
/api/v1/processes?limt=5 limt
/api/v1/processes/notapid pid
/api/v1/events/exec?limit=-3 limit
/api/v1/history?pid=1 metric
/api/v1/history?metric=tx&from=tomorrow from
/api/v1/history?metric=threads&step=18446744074s step
/api/v1/history?metric=threads&step=3700d step
/api/v1/history?metric=threads&from=-18446744074s from
/api/v1/history?metric=threads&to=20000000000 to
/api/v1/processes?filter=pid%20%3E filter
/api/v1/processes?filter=nmae%20%3D%20x filter
CASES
# ?filter= is the filter language: every row it returns is an ebtop process, and ebtop itself is one.
check_eq "filter: 200" "$(http_code '/api/v1/processes?filter=name%20%3D%20ebtop%20and%20pid%20%3E%200')" 200
check_eq "filter: only matching rows" "$(jq '[.processes[].name] | unique | join(",")' -r "$TMP/body")" ebtop
check_true "filter: the server itself is listed" \
	jq -e "[.processes[].pid] | index($SERVE_PID) != null" "$TMP/body"
check_eq "unknown path: 404" "$(http_code /api/v2/nothing)" 404
check_eq "POST: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")" 405
check_eq "HEAD /metrics" "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/metrics")" 200
long=$(head -c 9000 /dev/zero | tr '\0' a)
check_true "overlong target refused" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/processes?filter=$long")" -ge 400 ]
check_eq "still healthy after the bad requests" "$(http_code /health)" 200
stop_serve TERM
check_eq "SIGTERM: exit status" "$SERVE_RC" 0
check_eq "SIGTERM leaves a clean history database" \
	"$(sqlite3 "$TMP/api.db" 'PRAGMA integrity_check')" ok

# A unix socket.
sock="$TMP/ebtop.sock"
"$EBTOP" serve --listen "$sock" --db off -d 0.5 2>"$TMP/unix.err" &
upid=$!
on_exit "kill $upid"
for _ in $(seq 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" http://x/health)" = 200 ] &&
		break
	sleep 0.1
done
check_eq "unix socket /metrics" \
	"$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" http://x/metrics)" 200
kill -INT "$upid"
wait "$upid"
check_eq "SIGINT: exit status" "$?" 0
check_true "unix socket removed on exit" [ ! -e "$sock" ]

# TLS and basic auth from a web config. The hash is bcrypt (cost 4) of "s3cret".
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
cat >"$TMP/web.yml" <<'CFG'
tls_server_config:
  cert_file: cert.pem
  key_file: key.pem
basic_auth_users:
  alice: $2b$04$PiMDgrIz8ndJUm9oxgN5BuAkx9jMi/2DPWhGmgRxuAz1agkjm4jcW
CFG
port=$(free_port)
"$EBTOP" serve --listen "127.0.0.1:$port" --web-config "$TMP/web.yml" --db off -d 0.5 \
	2>"$TMP/tls.err" &
tpid=$!
on_exit "kill $tpid"
TURL="https://127.0.0.1:$port"
for _ in $(seq 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" -u alice:s3cret \
		"$TURL/health")" = 200 ] && break
	sleep 0.1
done
check_eq "TLS + right password" "$(curl -s -o /dev/null -w '%{http_code}' \
	--cacert "$TMP/cert.pem" -u alice:s3cret "$TURL/metrics")" 200
check_eq "TLS + wrong password" "$(curl -s -o /dev/null -w '%{http_code}' \
	--cacert "$TMP/cert.pem" -u alice:wrong "$TURL/metrics")" 401
check_eq "TLS + no credentials" "$(curl -s -o /dev/null -w '%{http_code}' \
	--cacert "$TMP/cert.pem" "$TURL/metrics")" 401
check_true "plain HTTP refused on the TLS port" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" != 200 ]
kill -TERM "$tpid"
wait "$tpid"
check_eq "TLS server: SIGTERM exit status" "$?" 0

# A bad web config stops start-up with one sentence.
printf 'basic_auth_users:\n  bob: plaintext\n' >"$TMP/bad.yml"
"$EBTOP" serve --listen "127.0.0.1:$(free_port)" --web-config "$TMP/bad.yml" --db off \
	2>"$TMP/bad.err"
check_eq "bad web config: exit 1" "$?" 1
check_true "bad web config: says why" grep -q bcrypt "$TMP/bad.err"
