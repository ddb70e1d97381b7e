# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for the CPU and scheduler tests: per-thread and per-group values from ebtop's JSON.
SCHEDLOAD=$TOOLS/schedload

# The last value of FIELD on the thread row TID (ebtop run with --threads).
thread_last() {
	local file=$1 tid=$2 field=$3
	jq -s "[.[] | .threads[]? | select(.pid == $tid)] | last | .$field // empty" "$file"
}

# Mean of FIELD on the rows matching COND over the snapshots where the row is present,
# leaving out the first SKIP and the last SKIP of them (start-up and exit). ROWS: processes
# or threads.
mean_middle() {
	local file=$1 rows=$2 cond=$3 field=$4 skip=${5:-1}
	jq -s "[.[] | [.$rows[]? | select($cond) | .$field] | select(length > 0) | add]
		| .[$skip:(length - $skip)] | if length > 0 then add / length else empty end" "$file"
}

# Number of snapshots mean_middle would average.
count_middle() {
	local file=$1 rows=$2 cond=$3 skip=${4:-1}
	jq -s "[.[] | [.$rows[]? | select($cond)] | select(length > 0)] | .[$skip:(length - $skip)]
		| length" "$file"
}

# Field N (1-based, after the command in parentheses) of a /proc/PID/stat line, as ns of ticks.
stat_ticks_ns() {
	local line=$1 first=$2 second=${3:-0} hz
	hz=$(getconf CLK_TCK)
	awk -v l="$line" -v a="$first" -v b="$second" -v hz="$hz" 'BEGIN {
		sub(/^.*\) /, "", l); n = split(l, f, " ");
		t = f[a - 2]; if (b) t += f[b - 2]; printf "%.0f\n", t * 1e9 / hz }'
}

# Waits until the machine's CPUs are mostly idle (others share it), at most SECONDS.
wait_quiet() {
	local max=${1:-20} i idle
	for ((i = 0; i < max; i++)); do
		idle=$(awk '/^cpu / {t = 0; for (k = 2; k <= NF; k++) t += $k; print $5 " " t}' /proc/stat)
		sleep 1
		idle=$(awk -v p="$idle" '/^cpu / {split(p, o, " "); t = 0; for (k = 2; k <= NF; k++) t += $k;
			printf "%.0f\n", 100 * ($5 - o[1]) / (t - o[2])}' /proc/stat)
		[ "$idle" -ge 80 ] && return 0
	done
	echo "note: the machine is busy (idle ${idle}%): shares and percentages may be off"
	return 1
}
