#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sharing a CPU: 4 busy threads on one CPU, and voluntary vs involuntary switches, against /proc.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

wait_quiet 20

# --- 4 busy threads pinned to CPU 1 for 3 s ---
start_ebtop pinned -d 0.5 --threads || fail "pinned: ebtop start"
mark=$(busy_mark 1)
taskset -c 1 "$SCHEDLOAD" spin 3 4 >"$TMP/pinned.txt" &
load=$!
# The threads' /proc schedstat meanwhile: the reference for their CPU% and RUNQ%.
sched_sampler "$TMP/pinned-sched.txt" "$load" &
sampler=$!
wait "$load"
wait "$sampler"
others_check "$mark" "$(jq -s '[.[] | select(.tid) | .thread_cpu_ns] | add' "$TMP/pinned.txt")" 1 1
sleep 1.2
stop_ebtop pinned
for tid in $(jq -r 'select(.tid) | .tid' "$TMP/pinned.txt"); do
	k="select(.tid == $tid)"
	cond=".pid == $tid and .name == \"schedload\""
	read -r t1 t2 cpu < <(middle_window "$TMP/pinned.json" threads "$cond" cpu 1)
	rq=$(middle_window "$TMP/pinned.json" threads "$cond" runq 1 | awk '{print $3}')
	read -r ref_cpu ref_rq < <(sampled_pct "$TMP/pinned-sched.txt" "${t1:-0}" "${t2:-0}" "$tid")
	# The kernel's exact figures, read by the thread itself at its end (schedstat).
	check_near "pinned $tid: on-CPU vs /proc schedstat" "$(thread_last "$TMP/pinned.json" "$tid" oncpu)" \
		"$(jq "$k | .schedstat_oncpu_ns" "$TMP/pinned.txt")" 0.02 2000000
	check_near "pinned $tid: run-queue wait vs /proc schedstat" \
		"$(thread_last "$TMP/pinned.json" "$tid" runq_time)" \
		"$(jq "$k | .schedstat_runq_ns" "$TMP/pinned.txt")" 0.02 2000000
	# Each is always on the CPU or waiting for it.
	check_near "pinned $tid: CPU% + RUNQ%" "$(echo "$cpu $rq" | awk '{print $1 + $2}')" 100 0.02
	# Against the thread's /proc schedstat sampled over the same intervals, not a quarter of
	# the CPU and three quarters waiting: ebtop, kernel threads and whatever else runs on the
	# CPU take their share. 2 points: the reference is interpolated between samples 20 ms
	# apart (at most 20 ms of the thread's time at each end of the ~2.5 s span).
	check_near "pinned $tid: CPU% vs /proc schedstat" "$cpu" "$ref_cpu" 0 2
	check_near "pinned $tid: RUNQ% vs /proc schedstat" "$rq" "$ref_rq" 0 2
done

# --- Voluntary: a thread that sleeps 1 ms in a loop ---
start_ebtop vol -d 0.5 --threads || fail "vol: ebtop start"
"$SCHEDLOAD" sleep 2 1000 >"$TMP/vol.txt"
sleep 1.2
stop_ebtop vol
tid=$(jq -r 'select(.tid) | .tid' "$TMP/vol.txt")
nv=$(thread_last "$TMP/vol.json" "$tid" nvcsw)
ni=$(thread_last "$TMP/vol.json" "$tid" nivcsw)
# /proc/PID/task/TID/status counts the same switches; ebtop also sees the thread's exit (1-2).
check_near "sleeper: voluntary switches vs /proc" "$nv" "$(jq 'select(.tid) | .nvcsw' "$TMP/vol.txt")" 0.01 3
check_near "sleeper: involuntary switches vs /proc" "$ni" "$(jq 'select(.tid) | .nivcsw' "$TMP/vol.txt")" 0 3
check_true "sleeper: mostly voluntary ($nv voluntary, $ni involuntary)" \
	awk -v v="$nv" -v i="$ni" 'BEGIN { exit !(v > 0 && v >= 9 * i) }'

# --- Involuntary: two busy threads sharing CPU 0 ---
start_ebtop invol -d 0.5 --threads || fail "invol: ebtop start"
taskset -c 0 "$SCHEDLOAD" spin 2 2 >"$TMP/invol.txt"
sleep 1.2
stop_ebtop invol
for tid in $(jq -r 'select(.tid) | .tid' "$TMP/invol.txt"); do
	nv=$(thread_last "$TMP/invol.json" "$tid" nvcsw)
	ni=$(thread_last "$TMP/invol.json" "$tid" nivcsw)
	check_near "busy $tid: involuntary switches vs /proc" "$ni" \
		"$(jq "select(.tid == $tid) | .nivcsw" "$TMP/invol.txt")" 0.01 3
	check_true "busy $tid: mostly involuntary ($nv voluntary, $ni involuntary)" \
		awk -v v="$nv" -v i="$ni" 'BEGIN { exit !(i > 0 && i >= 9 * v) }'
done
