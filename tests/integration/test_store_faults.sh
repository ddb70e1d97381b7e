#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# History faults: kill -9 then restart continues the same database; a write lock held from the
# sqlite3 CLI and a full disk each give one log line, lose nothing and writing resumes.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader "$1" "$2"; }

# Waits until the database holds at least N samples (bounded: 20 s).
wait_samples() {
	local n
	for _ in $(seq 400); do
		n=$(q "$1" 'SELECT count(*) FROM sample' 2>/dev/null)
		[ -n "$n" ] && [ "$n" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits until a file contains a pattern (bounded: 20 s).
wait_grep() {
	for _ in $(seq 400); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# --- kill -9, then a restart continues the same database ---
db=$TMP/k9.db
"$EBTOP" record -o "$db" -d 0.2 2>"$TMP/k9.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_samples "$db" 3; then
	kill -9 "$rec"
	wait "$rec" 2>/dev/null
	check_eq "kill -9: database opens and is intact" "$(q "$db" 'PRAGMA integrity_check')" ok
	before=$(q "$db" 'SELECT count(*) FROM sample')
	# Committed intervals are all there, in order, each complete: only the one being
	# written at the kill can be missing.
	check_eq "kill -9: samples 1..N without gaps" "$(q "$db" 'SELECT max(seq) FROM sample')" "$before"
	check_eq "kill -9: every sample complete" \
		"$(q "$db" 'SELECT count(*) FROM sample s WHERE nprocs != (SELECT count(*) FROM proc_sample WHERE sample_id = s.id)')" 0
	"$EBTOP" record -o "$db" -n 3 -d 0.2 2>"$TMP/k9b.err"
	check_eq "restart: exit status" "$?" 0
	check_eq "restart: three more samples in the same file" \
		"$(q "$db" 'SELECT count(*) FROM sample')" "$((before + 3))"
	check_eq "restart: a second run" "$(q "$db" 'SELECT count(*) FROM run')" 2
	# kthreadd (pid 2) lived through both runs: one identity, rows from both.
	check_eq "restart: long-lived processes keep their identity" \
		"$(q "$db" 'SELECT count(*) || "/" || count(DISTINCT run_id) FROM process WHERE pid = 2')" "1/1"
	check_eq "restart: kthreadd has a row in every sample" \
		"$(q "$db" 'SELECT count(*) FROM history WHERE pid = 2')" "$((before + 3))"
	check_eq "restart: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
else
	fail "kill -9: ebtop record did not write 3 samples" "$(cat "$TMP/k9.err")"
fi

# --- a write lock held from the sqlite3 CLI ---
# The lock is held 3 s, longer than the writer's 1 s busy timeout, so writes must fail and
# queue; 40 intervals of 0.2 s outlast it.
db=$TMP/lock.db
"$EBTOP" record -o "$db" -n 40 -d 0.2 2>"$TMP/lock.err" &
rec=$!
on_exit "kill -9 $rec"
if wait_samples "$db" 2; then
	{
		echo ".timeout 5000"
		echo "BEGIN IMMEDIATE;"
		echo "INSERT INTO run (started_ns) VALUES (0);"
		sleep 3
		echo "ROLLBACK;"
	} | sqlite3 -batch "$db"
	wait "$rec"
	check_eq "locked: exit status" "$?" 0
	check_eq "locked: one log line for the outage" "$(grep -c 'is locked by another process' "$TMP/lock.err")" 1
	check_eq "locked: one line when writing resumed" "$(grep -c 'resumed' "$TMP/lock.err")" 1
	check_eq "locked: no interval lost" "$(q "$db" 'SELECT count(*) || "/" || max(seq) FROM sample')" "40/40"
	check_eq "locked: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
else
	fail "locked: ebtop record did not start" "$(cat "$TMP/lock.err")"
fi

# --- a full disk: a small tmpfs, filled up, then space freed ---
# The filesystem holds the 40 intervals once space is freed: about 120 bytes per process per
# interval in the WAL (it grows to 1000 pages before a checkpoint folds it into the file),
# so size it by the processes running now (a shared machine may run thousands).
mnt=$TMP/small
mkdir -p "$mnt"
nproc_now=$(ls /proc | grep -c '^[0-9]')
size_mb=$((16 + nproc_now * 40 * 120 / 1048576))
if mount -t tmpfs -o size=${size_mb}M tmpfs "$mnt" 2>/dev/null; then
	on_exit "umount -l $mnt"
	db=$mnt/full.db
	# Leave about 400 KiB: enough to create the schema and write a few intervals.
	avail=$(df -k --output=avail "$mnt" | tail -1)
	dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail - 400)) status=none
	"$EBTOP" record -o "$db" -n 40 -d 0.2 2>"$TMP/full.err" &
	rec=$!
	on_exit "kill -9 $rec"
	if wait_grep "$TMP/full.err" 'no space left'; then
		check_true "full: ebtop still running after the disk filled" kill -0 "$rec"
		rm -f "$mnt/filler"
		wait "$rec"
		check_eq "full: exit status" "$?" 0
		check_eq "full: one log line for the outage" "$(grep -c 'no space left' "$TMP/full.err")" 1
		check_eq "full: one line when writing resumed" "$(grep -c 'resumed' "$TMP/full.err")" 1
		check_eq "full: no interval lost" "$(q "$db" 'SELECT count(*) || "/" || max(seq) FROM sample')" "40/40"
		check_eq "full: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
	else
		fail "full: the disk never filled" "$(cat "$TMP/full.err")"
	fi
else
	echo "note: mount -t tmpfs is not permitted here; the full-disk case did not run"
fi
