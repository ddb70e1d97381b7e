# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for the `ebtop serve` tests: start the server on a free loopback port, fetch with curl.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# start_serve NAME [ARGS...]: sets SERVE_PID and URL; waits until a snapshot is published.
start_serve() {
	local name=$1 port
	shift
	port=$(free_port)
	URL="http://127.0.0.1:$port"
	# History is on by default (a system path): tests write theirs under $TMP.
	"$EBTOP" serve --listen "127.0.0.1:$port" --db "$TMP/$name.db" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" &
	SERVE_PID=$!
	on_exit "kill $SERVE_PID"
	# /health answers 200 once the first interval has been published.
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" = 200 ] && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "ebtop serve did not start: $(cat "$TMP/$name.err")"
	return 1
}

# http_code PATH: the HTTP status of GET PATH; the body goes to $TMP/body.
http_code() {
	curl -s -o "$TMP/body" -w '%{http_code}' "$URL$1"
}

# stop_serve [SIGNAL]: stops the server; its exit status goes to SERVE_RC.
stop_serve() {
	kill -"${1:-TERM}" "$SERVE_PID"
	wait "$SERVE_PID"
	SERVE_RC=$?
}
