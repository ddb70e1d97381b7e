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

# A reference for CPU% and RUNQ% taken apart from ebtop: sched_sampler OUT PID [children] samples,
# every 20 ms while PID lives (3000 times at most), the kernel's /proc schedstat (on-CPU and
# run-queue wait, ns) of every thread of PID, or with "children" of every child process of PID:
# lines "wall_s id oncpu_ns runq_ns". Builtins only, so a sample is read within microseconds of
# its clock reading; run it in the background.
sched_sampler() {
	local out=$1 pid=$2 mode=${3:-threads} i t f k kids on rq _ tick
	tick=$(mktemp -u "$TMP/tick.XXXXXX")
	mkfifo "$tick"
	exec {tick}<>"$tick"
	for ((i = 0; i < 3000; i++)); do
		[ -d "/proc/$pid" ] || break
		t=$EPOCHREALTIME
		if [ "$mode" = children ]; then
			kids=
			read -r kids 2>/dev/null <"/proc/$pid/task/$pid/children"
			for k in $kids; do
				read -r on rq _ 2>/dev/null <"/proc/$k/schedstat" && echo "$t $k $on $rq"
			done
		else
			for f in /proc/"$pid"/task/*/schedstat; do
				k=${f%/schedstat}
				read -r on rq _ 2>/dev/null <"$f" && echo "$t ${k##*/} $on $rq"
			done
		fi
		read -r -t 0.02 -u "$tick" _
	done >>"$out"
	exec {tick}>&-
}

# The window ebtop's middle intervals cover, and its own figure over it: "t_start t_end value",
# wall seconds and the interval-weighted mean of FIELD over the rows matching COND, leaving out
# the first and last SKIP snapshots holding such rows (as mean_middle).
middle_window() {
	local file=$1 rows=$2 cond=$3 field=$4 skip=${5:-1}
	jq -s -r "[.[] | {t: .time, dt: .interval_s, v: ([.$rows[]? | select($cond) | .$field] | add)}
		| select(.v != null)] | .[$skip:(length - $skip)]
		| if length > 0 then \"\(.[0].t - .[0].dt) \(last.t) \((map(.v * .dt) | add) / (map(.dt) | add))\"
		  else empty end" "$file"
}

# The sampler's CPU% and RUNQ% ("cpu runq") between wall times T1 and T2, summed over the ids
# given (all sampled ids when none), each counter interpolated linearly between its samples.
sampled_pct() {
	local out=$1 t1=$2 t2=$3
	shift 3
	awk -v t1="$t1" -v t2="$t2" -v ids="$*" '
	function at(id, c, t,   k, n) {
		n = cnt[id]
		for (k = 2; k <= n; k++)
			if (ts[id, k] >= t)
				return v[id, c, k - 1] + (v[id, c, k] - v[id, c, k - 1]) * \
					(t - ts[id, k - 1]) / (ts[id, k] - ts[id, k - 1])
		bad = 1
		return 0
	}
	BEGIN { n = split(ids, l, " "); for (i = 1; i <= n; i++) want[l[i]] = 1 }
	(n == 0 || ($2 in want)) && $1 > ts[$2, cnt[$2]] {
		k = ++cnt[$2]; ts[$2, k] = $1; v[$2, 1, k] = $3; v[$2, 2, k] = $4
	}
	END {
		for (id in cnt) {
			if (ts[id, 1] > t1 || ts[id, cnt[id]] < t2)
				continue # not alive over the whole window
			on += at(id, 1, t2) - at(id, 1, t1); rq += at(id, 2, t2) - at(id, 2, t1); m++
		}
		if (m && !bad && t2 > t1)
			printf "%.2f %.2f\n", on / (t2 - t1) / 1e7, rq / (t2 - t1) / 1e7
	}' "$out"
}
