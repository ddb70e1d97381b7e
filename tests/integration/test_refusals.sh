#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Programs the kernel refuses (injected with EBTOP_REFUSE, through the same path as a real
# refusal): the task iterator is fatal with one sentence; any other refusal costs its feature
# only, with a fallback where there is one, and every face keeps running and says what is
# missing. What still runs stays right: exact TCP bytes without the connection table, CPU
# time through the raw_tp fallback.
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# One representative program per hook set: "REFUSE FEATURE AVAILABLE HOOKS [FACES]".
# REFUSE: comma-separated programs; HOOKS: the hooks in use afterwards (- when unavailable);
# FACES: "all" runs the table, serve, record and TUI checks too, not only the JSON one.
CASES=(
	"net_send network false - all"
	"conn_dump_tcp connections false - all"
	"conn_rst_in connection_resets false -"
	"conn_seed_tcp connection_seed false -"
	"conn_seed_owner connection_owners false -"
	"conn_udp_send4 udp_peers false -"
	"conn_exec exec_events false -"
	"sched_switch scheduler true raw_tp"
	"sched_switch,sched_switch_raw scheduler false - all"
	"disk_io_start disk true block_rq"
	"disk_io_start,disk_rq_insert disk false - all"
	"disk_dirty_folio writeback false -"
)
# Consequences: features that go with the refused one ("FEATURE AVAILABLE").
declare -A ALSO=(
	[net_send]="connections false" # connections are counted in the network hooks
	[conn_dump_tcp]="network true"  # the bytes do not need the connection table
	[conn_seed_tcp]="connection_owners false" # owners of connections nobody listed
	[disk_io_start,disk_rq_insert]="writeback false"
)

no_sanitizer() { # NAME FILE: no ASan/UBSan report in FILE
	if grep -qE 'Sanitizer|runtime error' "$2"; then
		fail "$1: sanitizer report" "$(grep -m3 -E 'Sanitizer|runtime error|#[0-9] ' "$2" | tr '\n' ' ')"
	fi
}

# check_features NAME FILE FEATURE AVAILABLE PROG: FILE is one JSON object with "features".
check_features() {
	local name=$1 file=$2 feat=$3 avail=$4 prog=$5
	check_eq "$name: features.$feat.available" \
		"$(jq -r --arg f "$feat" '.features[$f].available' "$file")" "$avail"
	check_true "$name: features.$feat.reason names $prog" \
		jq -e --arg f "$feat" --arg p "$prog" '.features[$f].reason // "" | contains($p)' "$file"
	# Whatever is unavailable says why, consequences included.
	check_eq "$name: every unavailable feature has a reason" \
		"$(jq -r '[.features | to_entries[] | select(.value.available == false
			and ((.value.reason // "") == "")) | .key] | join(",")' "$file")" ""
}

# --- The task iterator: nothing can run without it ---
for face in "-b|-b -n 1 -d 0.3" "-b --json|-b --json -n 1 -d 0.3" \
	"record|record -o $TMP/fatal.db -n 1 -d 0.3" \
	"serve|serve --listen 127.0.0.1:$(free_port) --db off -d 0.3"; do
	# shellcheck disable=SC2086
	EBTOP_REFUSE=dump_task timeout 10 "$EBTOP" ${face#*|} >"$TMP/fatal.out" 2>"$TMP/fatal.err"
	rc=$?
	what="dump_task refused, ebtop ${face%%|*}"
	check_eq "$what: exit status" "$rc" 1
	no_sanitizer "$what" "$TMP/fatal.err"
	check_eq "$what: one line on stderr" "$(wc -l <"$TMP/fatal.err")" 1
	check_true "$what: names dump_task" grep -q 'dump_task' "$TMP/fatal.err"
	check_true "$what: gives the kernel's words" grep -q 'Operation not permitted' "$TMP/fatal.err"
	check_true "$what: no libbpf dump" bash -c "! grep -qi 'libbpf' '$TMP/fatal.err'"
	check_true "$what: does not claim root is needed (we are root)" \
		bash -c "! grep -qiE 'needs root|CAP_BPF' '$TMP/fatal.err'"
	check_eq "$what: nothing on stdout" "$(wc -c <"$TMP/fatal.out")" 0
done

# --- Every other hook set: JSON for each, every face for the key cases ---
SOCK="$TMP/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
have_tmux=0
if command -v tmux >/dev/null; then
	export XDG_CONFIG_HOME="$TMP/config" # never the user's saved settings
	T -f /dev/null new-session -d -s tui -x 200 -y 50 -e LANG=C.UTF-8 "bash --norc --noprofile"
	on_exit "tmux -S '$SOCK' kill-server"
	T set -g remain-on-exit on
	have_tmux=1
else
	fail "tmux" "tmux is not installed (make deps)"
fi
shot() { T capture-pane -p -t tui >"$TMP/screen.txt"; }
wait_screen() { # REGEX [TRIES]: polls every 0.2 s
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		shot
		grep -qE -- "$1" "$TMP/screen.txt" && return 0
		sleep 0.2
	done
	return 1
}

q() { sqlite3 -batch -noheader "$1" "$2"; }

for c in "${CASES[@]}"; do
	read -r refuse feat avail hooks faces <<<"$c"
	prog=${refuse%%,*}
	export EBTOP_REFUSE=$refuse
	name="refuse $refuse"
	# Exec events are wanted where events are kept: with a history database.
	extra=()
	[ "$feat" = exec_events ] && extra=(--db "$TMP/exec.db")

	# JSON lines: two intervals, exit 0, the feature as expected with its reason.
	"$EBTOP" -b --json -n 2 -d 0.3 "${extra[@]}" >"$TMP/j.json" 2>"$TMP/j.err"
	check_eq "$name: -b --json exits 0" "$?" 0
	no_sanitizer "$name: -b --json" "$TMP/j.err"
	check_eq "$name: -b --json printed 2 snapshots" "$(jq -s 'length' "$TMP/j.json")" 2
	tail -1 "$TMP/j.json" >"$TMP/last.json"
	check_features "$name: -b --json" "$TMP/last.json" "$feat" "$avail" "$prog"
	if [ "$hooks" != - ]; then
		check_eq "$name: -b --json falls back to $hooks" \
			"$(jq -r --arg f "$feat" '.features[$f].hooks' "$TMP/last.json")" "$hooks"
	fi
	check_true "$name: -b --json status names $prog" \
		jq -e --arg p "$prog" '.status | contains($p)' "$TMP/last.json"
	check_true "$name: -b --json still lists processes" jq -e '.processes | length > 10' "$TMP/last.json"
	if [ -n "${ALSO[$refuse]:-}" ]; then
		read -r f2 a2 <<<"${ALSO[$refuse]}"
		check_eq "$name: -b --json features.$f2.available" \
			"$(jq -r --arg f "$f2" '.features[$f].available' "$TMP/last.json")" "$a2"
	fi

	# ebtop events: exec events refused, connection events still flow; exit 0 on SIGINT.
	if [ "$feat" = exec_events ]; then
		"$EBTOP" events --json >"$TMP/ev.out" 2>"$TMP/ev.err" &
		evpid=$!
		on_exit "kill $evpid"
		sleep 1
		cport=$(free_port)
		(exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null
		sleep 0.5
		kill -INT "$evpid"
		wait "$evpid"
		check_eq "$name: ebtop events exits 0 on SIGINT" "$?" 0
		no_sanitizer "$name: ebtop events" "$TMP/ev.err"
		check_true "$name: ebtop events says exec events are unavailable, naming $prog" \
			grep -q "exec events unavailable.*$prog" "$TMP/ev.err"
		check_true "$name: ebtop events still shows the refused connect to port $cport" \
			jq -e --argjson p "$cport" 'select(.rport == $p)' "$TMP/ev.out"
		# The API's exec events: not collected, and why (not an empty list that says "none").
		if start_serve exec -d 0.3; then
			check_eq "$name: /health features.exec_events.available" \
				"$(curl -s "$URL/health" | jq -r '.features.exec_events.available')" false
			check_eq "$name: /api/v1/events/exec status" "$(http_code /api/v1/events/exec)" 200
			check_eq "$name: /api/v1/events/exec collected" "$(jq -r '.collected' "$TMP/body")" false
			check_true "$name: /api/v1/events/exec reason names $prog" \
				jq -e --arg p "$prog" '.reason // "" | contains($p)' "$TMP/body"
			stop_serve
			check_eq "$name: serve exits 0 on SIGTERM" "$SERVE_RC" 0
		else
			fail "$name: ebtop serve starts"
		fi
	fi

	[ "${faces:-}" = all ] || continue

	# The table: exit 0, the status sentence on stderr. Connections need -c to be wanted.
	targs=(-b -n 1 -d 0.3)
	[ "$feat" = connections ] && targs+=(-c)
	"$EBTOP" "${targs[@]}" >"$TMP/t.out" 2>"$TMP/t.err"
	check_eq "$name: ${targs[*]} exits 0" "$?" 0
	no_sanitizer "$name: table" "$TMP/t.err"
	check_true "$name: table: status sentence on stderr names $prog" \
		grep -qE "^ebtop: .*(unavailable|through).*$prog" "$TMP/t.err"
	check_true "$name: table still printed a header" grep -q '^ebtop - ' "$TMP/t.out"

	# ebtop serve: /health, /metrics, the API.
	if start_serve "serve-$feat" -d 0.3; then
		curl -s "$URL/health" >"$TMP/health.json"
		check_features "$name: /health" "$TMP/health.json" "$feat" "$avail" "$prog"
		check_true "$name: /health degraded names $prog" \
			jq -e --arg p "$prog" '.degraded | contains($p)' "$TMP/health.json"
		curl -s "$URL/metrics" >"$TMP/metrics.txt"
		want=$([ "$avail" = true ] && echo 1 || echo 0)
		check_eq "$name: /metrics ebtop_feature_available{feature=\"$feat\"}" \
			"$(grep -E "^ebtop_feature_available\{feature=\"$feat\",hooks=\"[^\"]*\"\} " \
				"$TMP/metrics.txt" | awk '{print $2}')" "$want"
		check_eq "$name: /metrics tasks still available" \
			"$(grep -E '^ebtop_feature_available\{feature="tasks",' "$TMP/metrics.txt" | awk '{print $2}')" 1
		check_eq "$name: /api/v1/processes status" "$(http_code /api/v1/processes)" 200
		check_true "$name: /api/v1/processes lists processes" jq -e '.processes | length > 10' "$TMP/body"
		check_eq "$name: /api/v1/connections status" "$(http_code /api/v1/connections)" 200
		if [ "$feat" = connections ] || [ "${ALSO[$refuse]:-}" = "connections false" ]; then
			check_eq "$name: /api/v1/connections collected" "$(jq -r '.collected' "$TMP/body")" false
			check_true "$name: /api/v1/connections reason names $prog" \
				jq -e --arg p "$prog" '.reason // "" | contains($p)' "$TMP/body"
		else
			check_eq "$name: /api/v1/connections collected" "$(jq -r '.collected' "$TMP/body")" true
		fi
		stop_serve
		check_eq "$name: serve exits 0 on SIGTERM" "$SERVE_RC" 0
		no_sanitizer "$name: serve" "$TMP/serve-$feat.err"
	else
		fail "$name: ebtop serve starts"
	fi

	# ebtop record: samples with process rows and the status; replayed with -b --from.
	db=$TMP/rec-$feat.db
	"$EBTOP" record -o "$db" -n 2 -d 0.3 2>"$TMP/rec.err"
	check_eq "$name: record exits 0" "$?" 0
	no_sanitizer "$name: record" "$TMP/rec.err"
	check_eq "$name: record: samples" "$(q "$db" 'SELECT count(*) FROM sample')" 2
	check_true "$name: record: process rows" \
		test "$(q "$db" 'SELECT count(*) FROM proc_sample')" -gt 10
	check_eq "$name: record: every sample's status names $prog" \
		"$(q "$db" "SELECT count(*) FROM sample WHERE instr(status, '$prog') > 0")" 2
	"$EBTOP" -b --from "$db" --at last --json >"$TMP/from.json" 2>"$TMP/from.err"
	check_eq "$name: -b --from exits 0" "$?" 0
	check_true "$name: -b --from status names $prog" \
		jq -e --arg p "$prog" '.status | contains($p)' "$TMP/from.json"
	check_true "$name: -b --from lists the recorded processes" jq -e '.processes | length > 10' "$TMP/from.json"
	# The recording keeps what was missing feature by feature, as the live JSON showed it.
	check_eq "$name: -b --from features.$feat.available" \
		"$(jq -r --arg f "$feat" '.features[$f].available' "$TMP/from.json")" "$avail"

	# The interactive view: the status sentence on screen, q exits 0.
	if [ "$have_tmux" = 1 ]; then
		T send-keys -t tui "clear; EBTOP_REFUSE=$refuse '$EBTOP' -d 0.5; echo \"ebtop-rc=\$?\"" Enter
		if wait_screen '^ +PID USER' 50; then
			# The start of the sentence: the screen may cut its end.
			check_true "$name: TUI shows the status naming $prog" \
				wait_screen "(unavailable|through [a-z_/]+): the kernel refused $prog" 25
			T send-keys -t tui q
			if wait_screen 'ebtop-rc=' 25; then
				check_eq "$name: TUI q exits 0" "$(grep -o 'ebtop-rc=[0-9]*' "$TMP/screen.txt" | tail -1)" \
					ebtop-rc=0
			else
				fail "$name: TUI q exits" "ebtop still running 5 s after q"
			fi
			no_sanitizer "$name: TUI" "$TMP/screen.txt"
		else
			fail "$name: TUI starts" "no column titles after 10 s: $(head -5 "$TMP/screen.txt")"
			T send-keys -t tui q
			wait_screen 'ebtop-rc=' 25
		fi
	fi
done
unset EBTOP_REFUSE

# --- The rest stays right: exact TCP bytes without the connection table ---
wait_ready() { for _ in $(seq 100); do grep -q ready "$1" 2>/dev/null && return; sleep 0.05; done; }
port=$(free_port)
EBTOP_REFUSE=conn_dump_tcp start_ebtop noconn -d 0.25 || fail "noconn: ebtop start"
"$TOOLS/netload" tcp-sink 127.0.0.1 "$port" 1 >"$TMP/tsink.txt" &
sink=$!
wait_ready "$TMP/tsink.txt"
"$TOOLS/netload" tcp-send 127.0.0.1 "$port" 3000000 >"$TMP/tsend.txt" &
sender=$!
wait "$sender" "$sink"
sleep 0.6 # the exit records reach the next snapshot
stop_ebtop noconn
check_eq "refuse conn_dump_tcp: connections unavailable in that run" \
	"$(jq -s -r 'last | .features.connections.available' "$TMP/noconn.json")" false
check_eq "refuse conn_dump_tcp: sender TX bytes exact" \
	"$(last_value "$TMP/noconn.json" ".pid == $sender" tx_total)" "$(jq .bytes "$TMP/tsend.txt")"
check_eq "refuse conn_dump_tcp: receiver RX bytes exact" \
	"$(last_value "$TMP/noconn.json" ".pid == $sink" rx_total)" "$(tail -1 "$TMP/tsink.txt" | jq .bytes)"

# --- The rest stays right: CPU time through the raw_tp fallback ---
# Three busy children of 400 ms each, reaped with wait4: its rusage, and each zombie's /proc
# schedstat read before the reaping, are the kernel's own CPU time of each child.
EBTOP_REFUSE=sched_switch start_ebtop rawtp -d 0.5 || fail "rawtp: ebtop start"
"$SCHEDLOAD" fork 3 400 >"$TMP/fork.txt" &
forker=$!
wait "$forker"
sleep 1.2 # the children's exit records reach the next snapshot
stop_ebtop rawtp
check_eq "refuse sched_switch: scheduler runs through raw_tp" \
	"$(jq -s -r 'last | .features.scheduler | "\(.available) \(.hooks)"' "$TMP/rawtp.json")" "true raw_tp"
ids=$(jq -s -c '[.[] | select(.child) | .child]' "$TMP/fork.txt")
# By parent and the pids the forker reported: once it has exited, pids may be reused.
kids=".ppid == $forker and (.pid as \$p | $ids | index(\$p) != null)"
check_eq "refuse sched_switch: every busy child seen" \
	"$(jq -s "[.[] | .processes[]? | select($kids) | .pid] | unique | length" "$TMP/rawtp.json")" 3
got=$(jq -s "[.[] | .processes[]? | select($kids)] | group_by(.pid) | map(last.oncpu) | add // empty" \
	"$TMP/rawtp.json")
# 2%: the spec's bound (test_sched_short sees these agree within 0.05% through tp_btf).
check_near "refuse sched_switch: busy children's CPU time vs wait4 rusage" "$got" \
	"$(jq 'select(.total_cpu_ns) | .total_cpu_ns' "$TMP/fork.txt")" 0.02
check_near "refuse sched_switch: busy children's CPU time vs their /proc schedstat at exit" "$got" \
	"$(jq 'select(.total_schedstat_oncpu_ns) | .total_schedstat_oncpu_ns' "$TMP/fork.txt")" 0.02
