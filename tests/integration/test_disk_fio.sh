#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Block and file I/O per process against fio's own numbers, the page cache and write-back.
. "$(dirname "$0")/lib.sh"

# A directory on a filesystem backed by a real block device (tmpfs/overlay never reach one).
pick_dir() {
	local d src
	for d in "$PWD/$BUILD" /var/tmp "$HOME"; do
		[ -d "$d" ] && [ -w "$d" ] || continue
		src=$(findmnt -n -o SOURCE -T "$d" 2>/dev/null)
		case $src in /dev/*) echo "$d"; return 0 ;; esac
	done
	return 1
}
BASE=$(pick_dir) || { echo "SKIP: disk tests: no writable directory on a block device"; exit 0; }
DIR=$(mktemp -d "$BASE/ebtop-disk.XXXXXX")
on_exit "rm -rf '$DIR'"

# Every snapshot row of a pid, with how long its interval was.
rows() { jq -s -c --argjson p "$2" "[.[] | .interval_s as \$dt | .processes[]? | select(.pid == \$p) | . + {dt: \$dt}]" "$1"; }

# fio job as one thread of one process (--thread), so its pid owns every request.
run_fio() {
	local label=$1
	shift
	# Faults fio's own program pages in first: read from disk, they would count as the
	# process's requests too (some hundreds of small reads after a cache drop).
	fio --name=warm --thread --filename="$DIR/fio.dat" --direct=1 --ioengine=psync "$@" \
		--io_size=4M --output-format=terse >/dev/null
	start_ebtop "$label" -d 0.5 || { fail "$label: ebtop start"; return 1; }
	# The kernel's disk counters are read right after a snapshot, so both cover the
	# same snapshots: from the first one to the one after fio ended.
	cp /proc/diskstats "$TMP/$label-ds1"
	DS_FROM=$(wc -l <"$TMP/$label.json")
	fio --name="$label" --thread --filename="$DIR/fio.dat" --direct=1 --ioengine=psync \
		--output-format=json "$@" >"$TMP/$label-fio.json" &
	FIO_PID=$!
	wait "$FIO_PID"
	local n
	n=$(wc -l <"$TMP/$label.json")
	for _ in $(seq 300); do
		[ "$(wc -l <"$TMP/$label.json")" -gt "$n" ] && break
		sleep 0.01
	done
	cp /proc/diskstats "$TMP/$label-ds2"
	DS_TO=$(wc -l <"$TMP/$label.json")
	sleep 1.2 # the exit record reaches the next snapshot
	kill "$EBTOP_PID"
	wait "$EBTOP_PID" 2>/dev/null
	rows "$TMP/$label.json" "$FIO_PID" >"$TMP/$label-rows.json"
}

check_fio() {
	local label=$1 dir=$2 seq_cond=$3 bytes ios lat ebytes eios elat eseq
	bytes=$(jq ".jobs[0].$dir.io_bytes" "$TMP/$label-fio.json")
	ios=$(jq ".jobs[0].$dir.total_ios" "$TMP/$label-fio.json")
	lat=$(jq ".jobs[0].$dir.clat_ns.mean" "$TMP/$label-fio.json")
	local d=${dir:0:1} # r or w
	ebytes=$(jq "last | .disk_${d}_total" "$TMP/$label-rows.json")
	eios=$(jq "last | .${d}_ios_total" "$TMP/$label-rows.json")
	# Request-weighted mean of the per-interval latency averages.
	elat=$(jq "[.[] | select(.io_lat != null) | {n: ((.r_iops + .w_iops) * .dt), l: .io_lat}] |
		(map(.n * .l) | add) / (map(.n) | add)" "$TMP/$label-rows.json")
	eseq=$(jq "[.[] | select(.seq != null) | {n: ((.r_iops + .w_iops) * .dt), s: .seq}] |
		(map(.n * .s) | add) / (map(.n) | add)" "$TMP/$label-rows.json")
	# 2%: the issue's bound. Beyond fio's own requests ebtop also sees the few reads of
	# fio's program pages and file metadata the process causes (checked below).
	check_near "$label: bytes vs fio io_bytes" "$ebytes" "$bytes" 0.02
	check_true "$label: SEQ% $seq_cond (got $eseq)" awk -v s="$eseq" "BEGIN { exit !(s $seq_cond) }"
	# Block sizes below: 512 KiB, one request each (254 segments of 4 KiB at most).
	# fio's clat also holds the system call, the wake-up after the interrupt (25-35 us
	# idle, hundreds of us when the two CPUs are busy) and, for writes, ext4 updating the
	# file times through its journal: none of it reaches the block layer. So fio's clat
	# bounds the block latency from above; the exact reference is the kernel's own disk
	# accounting, checked per disk below.
	# The means (a mean of per-interval medians is no median when the load varies). Can
	# fail only when the process's few other requests, reads of fio's own program pages
	# after something dropped the page cache, wait behind another program saturating the
	# disk (seen once: 9 ms per request): check the machine and rerun.
	check_true "$label: mean latency ($elat ns) within fio's clat mean ($lat ns)" \
		awk -v e="$elat" -v f="$lat" 'BEGIN { exit !(e > 0 && e <= 1.05 * f) }'
	local ep50 fp50
	ep50=$(jq "[.[] | select(.io_lat_p50 != null) | {n: ((.r_iops + .w_iops) * .dt), l: .io_lat_p50}] |
		(map(.n * .l) | add) / (map(.n) | add)" "$TMP/$label-rows.json")
	fp50=$(jq ".jobs[0].$dir.clat_ns.percentile[\"50.000000\"]" "$TMP/$label-fio.json")
	echo "note: $label: ebtop latency mean $elat ns p50 $ep50 ns, fio clat mean $lat ns p50 $fp50 ns"
	# The kernel's /proc/diskstats time per request (from request start, as ebtop) over the
	# same snapshots, against ebtop's per-disk latency weighted by requests. 10%: the two
	# reads of /proc/diskstats come some ms after their snapshots, while other programs
	# on the machine use the same disk.
	local dev=$(jq -r ".disk_util[0].name" "$TMP/$label-fio.json") key=${d}
	local ticks n
	ticks=$(awk -v d="$dev" -v k="$key" '$3 == d { print (k == "r") ? $7 : $11 }' "$TMP/$label-ds1")
	ticks=$(($(awk -v d="$dev" -v k="$key" '$3 == d { print (k == "r") ? $7 : $11 }' "$TMP/$label-ds2") - ticks))
	n=$(awk -v d="$dev" -v k="$key" '$3 == d { print (k == "r") ? $4 : $8 }' "$TMP/$label-ds1")
	n=$(($(awk -v d="$dev" -v k="$key" '$3 == d { print (k == "r") ? $4 : $8 }' "$TMP/$label-ds2") - n))
	local dlat
	dlat=$(jq -s --arg dev "$dev" --arg op "$dir" --argjson from "$DS_FROM" --argjson to "$DS_TO" \
		"[.[] | select(.seq > \$from and .seq <= \$to) | .interval_s as \$dt | .disks[]? |
		select(.name == \$dev and .[\$op + \"_latency\"].avg_ns != null) |
		{n: (.[\$op + \"_iops\"] * \$dt), l: .[\$op + \"_latency\"].avg_ns}] |
		(map(.n * .l) | add) / (map(.n) | add)" "$TMP/$label.json")
	local dn
	dn=$(jq -s --arg dev "$dev" --arg op "$dir" --argjson from "$DS_FROM" --argjson to "$DS_TO" \
		"[.[] | select(.seq > \$from and .seq <= \$to) | .interval_s as \$dt | .disks[]? |
		select(.name == \$dev) | .[\$op + \"_iops\"] * \$dt] | add | round" "$TMP/$label.json")
	echo "note: $label: $dev $dir requests in the window: ebtop $dn, diskstats $n"
	# Requests: fio's own (3%, the issue's bound), plus at most the disk's other requests
	# of the window. The process also causes reads fio does not count (its program pages
	# and the file's metadata after memory pressure evicted them: 102 small reads seen in
	# one run), and the kernel counted every one of them on the disk.
	local other=$((n > ios ? n - ios : 0))
	check_true "$label: requests ($eios) within fio's total_ios ($ios) -3% .. plus the disk's other $dir requests ($other) +3%" \
		awk -v e="$eios" -v i="$ios" -v o="$other" 'BEGIN { exit !(e >= 0.97 * i && e <= 1.03 * (i + o)) }'
	# With the block_rq_* hooks (kernels without block_io_start) a request is timed from
	# the kernel's own start stamp, read at insert, as diskstats times it (before this,
	# timing from the insert missed the plug list: 10-20% low with other writers).
	local ref
	ref=$(awk -v t="$ticks" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / n }')
	check_near "$label: $dev mean latency vs /proc/diskstats (ns)" "$dlat" "$ref" 0.10
}

command -v fio >/dev/null || { fail "fio is not installed (make deps)"; exit 0; }
# The file exists and is written before anything is measured: writing into allocated blocks,
# fio's latency is the block request's plus the system call, without ext4 allocating blocks
# and converting unwritten extents on the way (hundreds of us the block layer does not see).
fio --name=layout --filename="$DIR/fio.dat" --rw=write --bs=1M --size=256M --direct=1 \
	--output-format=terse >/dev/null
# 2048 requests each, 512 KiB apiece.
# Both hook sets: block_io_start/done, and block_rq_insert/issue/complete as older kernels
# have them (forced here through EBTOP_DISK_HOOKS).
for hooks in io rq; do
	export EBTOP_DISK_HOOKS=$hooks
	run_fio "seqwrite-$hooks" --rw=write --bs=512k --size=256M --loops=4 &&
		check_fio "seqwrite-$hooks" write "> 90"
	run_fio "randread-$hooks" --rw=randread --bs=512k --size=256M --io_size=1G &&
		check_fio "randread-$hooks" read "< 20"
done
unset EBTOP_DISK_HOOKS

# Page cache: the same 64 MiB read twice, the first time from the disk.
F="$DIR/cache.dat"
dd if=/dev/urandom of="$F" bs=1M count=64 conv=fsync status=none
dd if="$F" iflag=nocache count=0 status=none # drops this file's pages from the cache
start_ebtop cache -d 0.5 || fail "cache: ebtop start"
# References, per reader: the bytes dd says it copied (its read calls), and the kernel's
# read_bytes for it (/proc/PID/io: what it had fetched from the disk), through ioreap.
for i in 1 2; do
	"$TOOLS/ioreap" dd if="$F" of=/dev/null bs=1M >"$TMP/cache-io$i.json" 2>"$TMP/cache-dd$i.txt"
done
P1=$(jq 'select(.child) | .child' "$TMP/cache-io1.json" | head -1)
P2=$(jq 'select(.child) | .child' "$TMP/cache-io2.json" | head -1)
sleep 1.2
kill "$EBTOP_PID"
wait "$EBTOP_PID" 2>/dev/null
MB64=$((64 << 20))
dd_bytes() { awk '/ copied/ {print $1}' "$TMP/cache-dd$1.txt"; }
io_read() { jq 'select(.read_bytes) | .read_bytes' "$TMP/cache-io$1.json"; }
# CACHE% as the kernel's figures give it: the share of the file's bytes not read from the disk.
cache_ref() { awk -v d="$(io_read "$1")" -v f="$(dd_bytes "$1")" 'BEGIN {
	c = 100 * (1 - d / f); if (c < 0) c = 0; printf "%.1f\n", c }'; }
echo "note: cache: dd copied $(dd_bytes 1) and $(dd_bytes 2) bytes; the kernel read $(io_read 1)" \
	"and $(io_read 2) bytes from the disk for them"
for p in "$P1" "$P2"; do
	rows "$TMP/cache.json" "$p" | jq -c 'last | {disk_r_total, file_r_total}' >"$TMP/cache-$p.json"
done
d1=$(jq .disk_r_total "$TMP/cache-$P1.json")
f1=$(jq .file_r_total "$TMP/cache-$P1.json")
d2=$(jq .disk_r_total "$TMP/cache-$P2.json")
f2=$(jq .file_r_total "$TMP/cache-$P2.json")
# The kernel's read_bytes counts the bios the reader submitted, ebtop the block requests it
# owns: 5% (the issue's bound) for readahead and file-system metadata charged differently,
# and at least 256 KiB, a few such requests, when almost nothing came from the disk.
check_near "cache: first pass block reads vs the kernel's read_bytes" "$d1" "$(io_read 1)" 0.05 262144
# 1%: every read call is counted; dd's other reads (its libraries) are a few KiB.
check_near "cache: first pass file reads vs dd's bytes copied" "$f1" "$(dd_bytes 1)" 0.01
# CACHE% from ebtop's two counts against the kernel's read_bytes over dd's count: 5 points,
# the 5% above.
check_near "cache: first pass CACHE% vs the kernel's figures" \
	"$(awk -v d="$d1" -v f="$f1" 'BEGIN { c = 100 * (1 - d / f); if (c < 0) c = 0; printf "%.1f", c }')" \
	"$(cache_ref 1)" 0 5
# The second pass reads from the page cache, unless another program on the machine dropped it
# in between (then dd's own program and libc pages, or the file, come from the disk again: the
# kernel's read_bytes says so as well).
check_near "cache: second pass block reads vs the kernel's read_bytes" "$d2" "$(io_read 2)" 0.05 262144
check_near "cache: second pass file reads vs dd's bytes copied" "$f2" "$(dd_bytes 2)" 0.01
check_near "cache: second pass CACHE% vs the kernel's figures" \
	"$(awk -v d="$d2" -v f="$f2" 'BEGIN { if (f > 0) printf "%.1f", 100 * (1 - d / f) }')" \
	"$(cache_ref 2)" 0 5
# The per-interval field: its best interval is at least the whole run's share, less 5 points.
check_true "cache: CACHE% field of the second pass >= $(cache_ref 2) - 5" \
	jq -s -e --argjson p "$P2" --argjson r "$(cache_ref 2)" \
	"[.[] | .processes[]? | select(.pid == \$p and .cache != null) | .cache] | max >= \$r - 5" \
	"$TMP/cache.json"

# Write-back: the writer's pages go to disk from the flusher threads during its sync().
# bufwrite prints what write() took and its /proc/self/io write_bytes (the bytes it dirtied).
start_ebtop wb -d 0.5 || fail "wb: ebtop start"
"$TOOLS/bufwrite" "$DIR/wb.dat" $MB64 >"$TMP/wb-ref.json" &
WP=$!
wait "$WP"
sleep 1.2
kill "$EBTOP_PID"
wait "$EBTOP_PID" 2>/dev/null
w=$(rows "$TMP/wb.json" "$WP" | jq 'last | .disk_w_total')
kw=$(jq -s '[.[] | .processes[]? | select(.kernel_thread) | .disk_w] | add // 0' "$TMP/wb.json")
wb_dirtied=$(jq .write_bytes "$TMP/wb-ref.json")
echo "note: writeback: the writer wrote $(jq .written "$TMP/wb-ref.json") bytes, dirtied $wb_dirtied"
# The pages it dirtied are the ones its sync() sent to the disk. 5%: the issue's bound; the
# file system's own journal and metadata writes are jbd2's.
check_near "writeback: bytes credited to the writer vs its write_bytes" "$w" "$wb_dirtied" 0.05
echo "note: writeback: kernel threads wrote $kw bytes/s summed over intervals"
check_near "writeback: dirtied bytes of the writer vs its /proc/self/io write_bytes" \
	"$(rows "$TMP/wb.json" "$WP" | jq 'last | .dirty_w_total')" "$wb_dirtied" 0.05

# A writer that exits before anything reaches the disk, then sync(1) from another process:
# its block writes belong to the flusher thread, but the kernel counted its dirtied bytes.
start_ebtop wb2 -d 0.5 || fail "wb2: ebtop start"
"$TOOLS/ioreap" dd if=/dev/zero of="$DIR/wb2.dat" bs=1M count=64 status=none >"$TMP/wb2-io.json"
DP=$(jq 'select(.child) | .child' "$TMP/wb2-io.json" | head -1)
sync
sleep 1.2
kill "$EBTOP_PID"
wait "$EBTOP_PID" 2>/dev/null
# Reference: the kernel's write_bytes for the writer, through ioreap.
check_near "writeback after exit: dirtied bytes of the writer vs its write_bytes" \
	"$(rows "$TMP/wb2.json" "$DP" | jq 'last | .dirty_w_total')" \
	"$(jq 'select(.write_bytes) | .write_bytes' "$TMP/wb2-io.json")" 0.05
echo "note: writeback after exit: the writer's block writes: $(rows "$TMP/wb2.json" "$DP" | jq 'last | .disk_w_total')"
