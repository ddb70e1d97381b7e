# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for the CPU and scheduler tests: per-thread and per-group values from ebtop's JSON.
SCHEDLOAD=$TOOLS/schedload

# The last value of FIELD on the thread row TID of schedload (ebtop run with --threads). By name
# too: once the thread has exited, its id may already belong to another thread.
thread_last() {
	local file=$1 tid=$2 field=$3
	jq -s "[.[] | .threads[]? | select(.pid == $tid and .name == \"schedload\")] | last
		| .$field // empty" "$file"
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

# Waits until the machine's CPUs are mostly idle (others share it), at most SECONDS; sets QUIET.
QUIET=0
wait_quiet() {
	local max=${1:-20} i idle
	QUIET=0
	for ((i = 0; i < max; i++)); do
		idle=$(awk '/^cpu / {t = 0; for (k = 2; k <= NF; k++) t += $k; print $5 " " t}' /proc/stat)
		sleep 1
		idle=$(awk -v p="$idle" '/^cpu / {split(p, o, " "); t = 0; for (k = 2; k <= NF; k++) t += $k;
			printf "%.0f\n", 100 * ($5 - o[1]) / (t - o[2])}' /proc/stat)
		[ "$idle" -ge 80 ] && { QUIET=1; return 0; }
	done
	echo "note: the machine is busy (idle ${idle}%)"
	return 1
}

# CPU time in ns the kernel counts as busy (user, system, interrupts, steal) on CPU ("" for all
# CPUs, or a CPU number), and the wall clock, from /proc/stat and /proc/uptime.
busy_mark() {
	local cpu=${1:-}
	awk -v c="cpu$cpu" -v hz="$(getconf CLK_TCK)" '$1 == c {
		printf "%.0f ", ($2 + $3 + $4 + $7 + $8 + $9) * 1e9 / hz }' /proc/stat
	awk '{ printf "%.0f\n", $1 * 1e9 }' /proc/uptime
}

# After a workload that used OWN_NS of CPU (by /proc): sets QUIET=1 when everything else took at
# most MAX% (default 5) of the CPUs watched since MARK (from busy_mark), else 0, and says how much.
others_check() {
	local mark=$1 own=$2 cpus=$3 cpu=${4:-} max=${5:-5} now
	now=$(busy_mark "$cpu")
	read -r pct < <(awk -v a="$mark" -v b="$now" -v own="$own" -v n="$cpus" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		printf "%.1f\n", 100 * ((y[1] - x[1]) - own) / ((y[2] - x[2]) * n) }')
	echo "note: other work took ${pct}% of the CPUs watched meanwhile"
	OTHERS_PCT=$pct
	QUIET=1
	awk -v p="$pct" -v m="$max" 'BEGIN { exit !(p > m) }' && QUIET=0
	return 0
}

# check_near for a share of the machine (e.g. 200% for two busy processes on two CPUs),
# which holds only when nothing else runs: on a busy machine it is printed, not checked.
# The same test checks the load-independent figures (against /proc) either way.
check_share() {
	if [ "$QUIET" = 1 ]; then
		check_near "$@"
	else
		echo "note: $1 not checked, the machine was busy: got ${2:-?}, expected $3"
	fi
}
