# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for integration tests: checks that print PASS/FAIL lines, cleanup, free ports.
set -u
EBTOP=${EBTOP:-$PWD/build/ebtop}
TOOLS=${TOOLS:-$PWD/build/tools}
TMP=$(mktemp -d /tmp/ebtop-test.XXXXXX)
CLEANUP=()

cleanup() {
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
on_exit() { CLEANUP+=("$*"); }

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+: $2}"; }

# check NAME ACTUAL EXPECTED REL_TOL [ABS_TOL]: |actual - expected| <= max(rel*expected, abs)
check_near() {
	local name=$1 act=$2 exp=$3 rel=$4 abs=${5:-0}
	if awk -v a="$act" -v e="$exp" -v r="$rel" -v b="$abs" 'BEGIN {
		d = a - e; if (d < 0) d = -d; t = r * (e < 0 ? -e : e); if (b > t) t = b;
		exit !(a != "" && d <= t) }'; then
		pass "$name (got $act, reference $exp)"
	else
		fail "$name" "got '$act', reference $exp, tolerance ${rel} relative / ${abs} absolute"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1" "got '$2', expected '$3'"; fi
}

check_true() {
	local name=$1
	shift
	if "$@" >/dev/null; then pass "$name"; else fail "$name" "condition failed: $*"; fi
}

# A TCP port nothing listens on, from the ephemeral range's far end.
free_port() {
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# Starts ebtop -b --json in the background into $TMP/$1.json; extra args follow.
start_ebtop() {
	local name=$1
	shift
	"$EBTOP" -b --json "$@" >"$TMP/$name.json" 2>"$TMP/$name.err" &
	EBTOP_PID=$!
	on_exit "kill $EBTOP_PID"
	# Counting starts once the programs are attached: wait for the first snapshot.
	for _ in $(seq 100); do
		[ -s "$TMP/$name.json" ] && return 0
		sleep 0.05
	done
	echo "ebtop did not start: $(cat "$TMP/$name.err")"
	return 1
}

# Stops the ebtop started last with SIGTERM: it must exit 0 with no sanitizer report.
stop_ebtop() {
	local name=$1 rc
	kill -TERM "$EBTOP_PID" 2>/dev/null
	wait "$EBTOP_PID" 2>/dev/null
	rc=$?
	if grep -qE 'Sanitizer|runtime error' "$TMP/$name.err"; then
		fail "$name: ebtop sanitizer report" "$(grep -m3 -E 'Sanitizer|runtime error|#[0-9] ' "$TMP/$name.err" | tr '\n' ' ')"
	elif [ "$rc" -ne 0 ]; then
		fail "$name: ebtop exit status" "$rc: $(head -3 "$TMP/$name.err")"
	fi
}

# Sum of a numeric field over every snapshot row matching a jq condition (rows shown once
# when exited, so the last snapshot holding a pid has its final total).
last_value() {
	local file=$1 cond=$2 field=$3
	jq -s "[.[] | .processes[]? | select($cond)] | last | .$field // empty" "$file"
}
