#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# 100 children that each burn 5 ms of CPU and exit: ebtop against wait4's rusage and a /proc sampler.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# A top-like sampler: every second, the CPU time /proc shows for each child of $1.
proc_sampler() {
	local parent=$1 out=$2 f line rest
	while kill -0 "$parent" 2>/dev/null; do
		for f in /proc/[0-9]*/stat; do
			{ read -r line <"$f"; } 2>/dev/null || continue
			rest=${line##*) }
			set -- $rest
			[ "$2" = "$parent" ] || continue
			echo "${line%% *} $((${12} + ${13}))" >>"$out"
		done
		sleep 1
	done
}

start_ebtop short -d 0.5 || fail "short: ebtop start"
"$SCHEDLOAD" fork 100 5 >"$TMP/fork.txt" &
forker=$!
proc_sampler "$forker" "$TMP/sampler.txt" &
sampler=$!
on_exit "kill $sampler"
wait "$forker"
wait "$sampler" 2>/dev/null
sleep 1.2 # the last children's exit records reach the next snapshot
stop_ebtop short

children=$(jq -r 'select(.child) | .child' "$TMP/fork.txt" | sort -n)
ids=$(jq -s -c '[.[] | select(.child) | .child]' "$TMP/fork.txt")
ref=$(jq 'select(.total_cpu_ns) | .total_cpu_ns' "$TMP/fork.txt")
# The children by the pids the forker reported and by parent: once the forker has exited, its
# pid may already belong to another process, whose children are not these.
kids=".ppid == $forker and (.pid as \$p | $ids | index(\$p) != null)"
seen=$(jq -s "[.[] | .processes[]? | select($kids) | .pid] | unique | .[]" "$TMP/short.json")
missing=$(comm -23 <(echo "$children") <(echo "$seen" | sort -n) | wc -l)
got=$(jq -s "[.[] | .processes[]? | select($kids)] | group_by(.pid) | map(last.oncpu) | add // 0" \
	"$TMP/short.json")
exited=$(jq -s "[.[] | .processes[]? | select($kids and .exited) | .pid] | unique | length" \
	"$TMP/short.json")
twice=$(jq -s "[.[] | .processes[]? | select($kids and .exited) | .pid] | length" "$TMP/short.json")
check_eq "short: every child appears" "$missing missing of $(echo "$children" | wc -l)" "0 missing of 100"
check_eq "short: every child shown as exited" "$exited" 100
check_eq "short: each child shown once as exited" "$twice" 100
check_near "short: children's CPU time vs wait4 rusage" "$got" "$ref" 0.10
check_near "short: children's CPU time vs 100 x 5 ms" "$got" 500000000 0.10
sampled=$(awk '{print $1}' "$TMP/sampler.txt" 2>/dev/null | sort -u | wc -l)
sampled_ns=$(awk -v hz="$(getconf CLK_TCK)" '{t[$1] = $2} END {s = 0; for (p in t) s += t[p];
	printf "%.0f\n", s * 1e9 / hz}' "$TMP/sampler.txt" 2>/dev/null)
echo "note: ebtop saw $((100 - missing))/100 children and ${got} ns of their CPU time" \
	"(rusage: $ref ns); a /proc sampler at 1 s saw $sampled/100 and ${sampled_ns:-0} ns"
