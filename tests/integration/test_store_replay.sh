#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop replay: the interactive view on a recording, stepped sample by sample and by time (tmux);
# the rows on screen are the ones the database holds for that sample.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { fail "tmux" "tmux is not installed (make deps)"; exit 0; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

# A recording in which one process (a sleep) appears only after a few samples.
db=$TMP/replay.db
"$EBTOP" record -o "$db" -n 10 -d 0.25 2>"$TMP/rec.err" &
rec=$!
on_exit "kill -9 $rec"
for _ in $(seq 200); do
	[ "$(q "$db" 'SELECT count(*) FROM sample' 2>/dev/null)" -ge 3 ] 2>/dev/null && break
	sleep 0.05
done
sleep 30 &
marker=$!
on_exit "kill $marker"
wait "$rec"
check_eq "record for replay: exit status" "$?" 0
n=$(q "$db" 'SELECT count(*) FROM sample')
# The first sample holding the marker, its position in time order, and its time.
first_id=$(q "$db" "SELECT min(ps.sample_id) FROM proc_sample ps JOIN process p ON p.id = ps.proc_id WHERE p.pid = $marker")
pos=$(q "$db" "SELECT count(*) FROM sample WHERE wall_ns <= (SELECT wall_ns FROM sample WHERE id = $first_id)")
at=$(q "$db" "SELECT (wall_ns / 1000000000) || '.' || printf('%09d', wall_ns % 1000000000) FROM sample WHERE id = $first_id")
check_true "the marker appears after the first sample (position $pos of $n)" test "$pos" -gt 1

SOCK="$TMP/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
keys() { T send-keys -t rp "$@"; }
shot() { T capture-pane -p -t rp >"$TMP/screen.txt"; }
wait_screen() {
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		shot
		grep -qE -- "$1" "$TMP/screen.txt" && return 0
		sleep 0.2
	done
	return 1
}
# Is the marker's pid a row on screen? (polls a few frames: a capture may race a redraw)
has_marker() {
	for _ in $(seq 10); do
		shot
		awk -v p="$marker" '$1 == p' "$TMP/screen.txt" | grep -q . && return 0
		sleep 0.2
	done
	return 1
}

export XDG_CONFIG_HOME="$TMP/config"
T -f /dev/null new-session -d -s rp -x 200 -y 60 -e LANG=C.UTF-8 -e NO_COLOR= "bash --norc --noprofile"
on_exit "tmux -S '$SOCK' kill-server"
# Only the marker and this shell (alive in every sample) are shown, so both fit on screen.
keys "clear; '$EBTOP' replay '$db' --pid $marker,$$; echo \"ebtop-rc=\$?\"" Enter
if wait_screen "replay: sample 1 of $n" 50; then
	pass "replay opens at the first sample"
	keys g
	wait_screen 'Go to time:' 10
	keys "@$at" Enter
	wait_screen "sample $pos of $n" 25
	check_true "g TIME jumps to that sample ($pos of $n)" grep -q "sample $pos of $n" "$TMP/screen.txt"
	check_true "the marker is on screen there" has_marker
	keys '['
	wait_screen "sample $((pos - 1)) of $n" 25
	check_true "[ steps back one sample" grep -q "sample $((pos - 1)) of $n" "$TMP/screen.txt"
	check_true "the marker is not in the sample before it" bash -c "! awk -v p=$marker '\$1 == p' '$TMP/screen.txt' | grep -q ."
	check_true "while the test shell is" bash -c "awk -v p=$$ '\$1 == p' '$TMP/screen.txt' | grep -q ."
	keys ']'
	wait_screen "sample $pos of $n" 25
	check_true "] steps forward again" has_marker
	keys '}'
	wait_screen "sample $(( pos + 10 > n ? n : pos + 10 )) of $n" 25
	check_true "} moves ten on, clamped to the last" grep -q "sample $(( pos + 10 > n ? n : pos + 10 )) of $n" "$TMP/screen.txt"
	keys ']'
	wait_screen "at the last sample" 25
	check_true "] at the end says so" grep -q "at the last sample" "$TMP/screen.txt"
	keys q
	wait_screen 'ebtop-rc=' 25
	check_true "q quits with status 0" grep -q 'ebtop-rc=0' "$TMP/screen.txt"
else
	fail "replay opens at the first sample" "$(head -5 "$TMP/screen.txt")"
fi

# Without a terminal, replay prints the recording like -b --from.
check_eq "replay without a terminal prints every sample" \
	"$("$EBTOP" replay "$db" </dev/null | grep -c '^ebtop - ')" "$n"
