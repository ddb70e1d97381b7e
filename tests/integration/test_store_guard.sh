#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guards of the history file: SIGHUP stops record and serve as cleanly as SIGTERM; a second
# writer on a file is refused while readers still read it; another program's SQLite file is
# refused before anything is written to it.
. "$(dirname "$0")/serve_lib.sh"

q() { sqlite3 -batch -noheader "$1" "$2"; }

wait_run() {
	for _ in $(seq 200); do
		[ "$(q "$1" 'SELECT count(*) FROM run' 2>/dev/null)" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# --- SIGHUP: record closes the file cleanly (WAL folded in) and exits 0 ---
db=$TMP/hup.db
"$EBTOP" record -o "$db" -d 0.2 2>"$TMP/hup.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_run "$db"; then
	sleep 0.5
	kill -HUP "$rec"
	wait "$rec"
	check_eq "record SIGHUP: exit status" "$?" 0
	check_true "record SIGHUP: WAL checkpointed and removed" test ! -e "$db-wal"
	check_true "record SIGHUP: samples written" test "$(q "$db" 'SELECT count(*) FROM sample')" -ge 2
else
	fail "record SIGHUP: ebtop record did not start" "$(cat "$TMP/hup.err")"
fi

# --- SIGHUP: serve does the same ---
if start_serve hupserve -d 0.2; then
	sleep 0.5
	stop_serve HUP
	db=$TMP/hupserve.db
	check_eq "serve SIGHUP: exit status" "$SERVE_RC" 0
	check_true "serve SIGHUP: WAL checkpointed and removed" test ! -e "$db-wal"
	check_true "serve SIGHUP: samples written" test "$(q "$db" 'SELECT count(*) FROM sample')" -ge 1
else
	fail "serve SIGHUP: ebtop serve did not start"
fi

# --- a second writer is refused at once; the first writes on; readers read ---
db=$TMP/two.db
"$EBTOP" record -o "$db" -d 0.2 2>"$TMP/two1.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_run "$db"; then
	start=$(date +%s%N)
	"$EBTOP" record -o "$db" -d 0.2 -n 3 2>"$TMP/two2.err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	check_true "second writer: exits non-zero" test "$rc" -ne 0
	check_true "second writer: exits at once (${ms} ms)" test "$ms" -lt 3000
	check_eq "second writer: one line naming the file" \
		"$(grep -c "$db.*in use by another ebtop writer" "$TMP/two2.err")" 1
	check_eq "second writer: no run of its own" "$(q "$db" 'SELECT count(*) FROM run')" 1
	n1=$(q "$db" 'SELECT count(*) FROM sample')
	sleep 0.6
	n2=$(q "$db" 'SELECT count(*) FROM sample')
	check_true "first writer: keeps writing ($n1 -> $n2 samples)" test "$n2" -gt "$n1"
	check_true "reader: ebtop -b --from while the writer runs" \
		grep -q '"processes"' <("$EBTOP" -b --from "$db" --at last --json 2>"$TMP/two3.err")
	kill -TERM "$rec"
	wait "$rec"
	check_eq "first writer: exit status" "$?" 0
	"$EBTOP" record -o "$db" -d 0.2 -n 2 2>"$TMP/two4.err"
	check_eq "after the first writer: a new writer runs" "$?" 0
	check_eq "after the first writer: runs" "$(q "$db" 'SELECT count(*) FROM run')" 2
else
	fail "second writer: first ebtop record did not start" "$(cat "$TMP/two1.err")"
fi

# --- another program's SQLite file is left alone ---
foreign() {
	local name=$1 db=$TMP/$1.db before after
	shift
	sqlite3 "$db" "$@"
	before=$(md5sum <"$db")
	"$EBTOP" record -o "$db" -d 0.2 -n 2 2>"$TMP/$name.err"
	check_true "$name: refused (exit status non-zero)" test "$?" -ne 0
	after=$(md5sum <"$db")
	check_eq "$name: file unchanged" "$after" "$before"
	check_true "$name: no WAL or journal left" test ! -e "$db-wal" -a ! -e "$db-journal"
	check_eq "$name: one line naming the file" \
		"$(grep -c "$db is not an ebtop history database" "$TMP/$name.err")" 1
}
foreign foreign0 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
	INSERT INTO notes (body) VALUES (42)'
foreign foreign42 'PRAGMA application_id = 42; CREATE TABLE t (x); INSERT INTO t VALUES (1)'

# An empty file (zero tables) becomes a history file.
db=$TMP/empty.db
: >"$db"
"$EBTOP" record -o "$db" -d 0.2 -n 2 2>"$TMP/empty.err"
check_eq "empty file: recorded into" "$?" 0
check_eq "empty file: samples" "$(q "$db" 'SELECT count(*) FROM sample')" 2
