#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Boots Debian's 6.1 and 6.12 kernels under qemu (TCG) with ebtop and known workloads in an
# initramfs, and checks ebtop's JSON against the workloads' own counts: one PASS/FAIL line each,
# and INFO lines with what the network programs and sched_switch cost per event.
#
# usage: tests/qemu/run-kernel.sh [RUN...]    RUN: SERIES[:MODE]
#   SERIES: 6.1, 6.12; MODE: default (ebtop picks its network hooks), fexit or kprobe (forced
#   with EBTOP_NET_HOOKS), nofexit (net_fx_send4 refused with EBTOP_REFUSE: the fallback a real
#   refusal takes, to kprobes). The variable reaches ebtop through the kernel command line as
#   ebtop.env=NAME=VALUE, which init.sh exports.
#   Default runs: 6.1 (fexit: no sock_send_length tracepoints), 6.1:kprobe, 6.1:nofexit,
#   6.12 (tp_btf), 6.12:fexit. Each run checks the hooks ebtop reports using, then every byte count with them.
# Needs qemu-system-x86, busybox-static, cpio, jq (make deps) and the Debian archive for the
# kernel packages, which are kept extracted in $EBTOP_QEMU_CACHE (default build/qemu-kernels).
# EBTOP and TOOLS name the ebtop binary and the tools directory (default build/ebtop, build/tools).
# EBTOP_QEMU_UPDATE=1 runs apt-get update first (otherwise only when apt knows no such kernel);
# EBTOP_QEMU_TIMEOUT bounds each boot (seconds, default 150); EBTOP_QEMU_KEEP=DIR keeps each
# run's JSON, data stream and console; EBTOP_QEMU_VERBOSE=1 lists every BPF program's cost.
# The runs go one after another: two TCG guests of two vCPUs each on a two-core host would
# starve each other's timers, and one run takes about 30 s (boot, verifier, workloads, checks).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
CACHE=${EBTOP_QEMU_CACHE:-$PWD/build/qemu-kernels}
BOOT_TIMEOUT=${EBTOP_QEMU_TIMEOUT:-150}
RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(6.1 6.1:kprobe 6.1:nofexit 6.12 6.12:fexit)

# NAME=VALUE a run's ebtop gets, if any.
mode_env() {
	case $1 in
	default) ;;
	fexit | kprobe) echo "EBTOP_NET_HOOKS=$1" ;;
	nofexit) echo "EBTOP_REFUSE=net_fx_send4" ;;
	*) return 1 ;;
	esac
}

# The network hooks a run must end up with: the one forced, or the kernel's best.
expected_hooks() {
	case $1:$2 in
	*:fexit) echo fexit ;;
	*:kprobe | *:nofexit) echo kprobe ;;
	6.1:default) echo fexit ;;   # sock:sock_send_length came in 6.3
	6.12:default) echo tp_btf ;;
	*) return 1 ;;
	esac
}

# The unsigned image packages: the signed ones hold the same kernel, the -dbg ones no kernel.
kernel_pattern() {
	case $1 in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+[+]deb12-amd64-unsigned$' ;;
	*) return 1 ;;
	esac
}

newest_package() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -1
}

# Prints the directory of the extracted package for SERIES, downloading it if not cached.
fetch_kernel() {
	local series=$1 pat pkg dir
	pat=$(kernel_pattern "$series") || { echo "unknown kernel series $series" >&2; return 1; }
	[ "${EBTOP_QEMU_UPDATE:-0}" = 1 ] && apt-get update >&2
	pkg=$(newest_package "$pat")
	if [ -z "$pkg" ]; then
		apt-get update >&2
		pkg=$(newest_package "$pat")
	fi
	[ -n "$pkg" ] || { echo "apt knows no package matching $pat" >&2; return 1; }
	dir=$CACHE/$pkg
	if ! ls "$dir"/boot/vmlinuz-* >/dev/null 2>&1; then
		mkdir -p "$CACHE"
		rm -rf "$dir.tmp" && mkdir "$dir.tmp"
		# As root apt would hand the download to its _apt user, who cannot write here.
		(cd "$dir.tmp" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2) &&
			dpkg-deb -x "$dir.tmp"/*.deb "$dir.tmp" && rm -f "$dir.tmp"/*.deb &&
			mv "$dir.tmp" "$dir" || { rm -rf "$dir.tmp"; return 1; }
	fi
	echo "$dir"
}

# Module files of NAME and what it depends on, dependencies first; built-in ones are skipped.
# modules.dep is made by depmod at install, so the dependencies come from each .modinfo.
module_order() {
	local mdir=$1 name=$2 f dep
	grep -q "/${name}.ko\$" "$mdir/modules.builtin" 2>/dev/null && return 0
	f=$(find "$mdir/kernel" -name "${name}.ko*" | head -1)
	[ -n "$f" ] || f=$(find "$mdir/kernel" -name "${name//_/-}.ko*" | head -1)
	[ -n "$f" ] || { echo "module $name not found" >&2; return 1; }
	for dep in $(module_bytes "$f" | strings -a | sed -n 's/^depends=//p' | tr ',' ' '); do
		module_order "$mdir" "$dep" || return 1
	done
	echo "$f"
}

module_bytes() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Copies a binary and the shared libraries it loads into the initramfs tree ROOT.
copy_with_libs() {
	local root=$1 bin=$2 dest=$3 lib
	cp "$bin" "$root$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

make_initramfs() {
	local kdir=$1 out=$2 root=$TMP/root mdir f seen=" " name a
	rm -rf "$root"
	mkdir -p "$root"/{bin,proc,sys,dev,etc,tmp,lib/modules}
	cp /bin/busybox "$root/bin/"
	for a in $(busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	copy_with_libs "$root" "$EBTOP" /bin/ebtop
	copy_with_libs "$root" "$TOOLS/netload" /bin/netload
	copy_with_libs "$root" "$TOOLS/vmload" /bin/vmload
	mdir=$(echo "$kdir"/lib/modules/*)
	for f in $(module_order "$mdir" virtio_pci && module_order "$mdir" virtio_blk); do
		name=$(basename "${f%%.ko*}")
		case $seen in *" $name "*) continue ;; esac
		seen="$seen$name "
		module_bytes "$f" >"$root/lib/modules/$name.ko"
		echo "$name" >>"$root/lib/modules/load.list"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	cp tests/qemu/init.sh "$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
}

# Text of the ttyS1 stream between "=== NAME begin" and "=== NAME end".
section() {
	sed -n "/^=== $2 begin\$/,/^=== $2 end\$/p" "$1" | sed '1d;$d'
}

ref() { # FILE ROLE KEY: a figure a workload printed about itself
	sed -n "s/^ref $2 //p" "$1" | jq -r "select(.$3 != null) | .$3" | head -1
}

# check_exact NAME JSON PID FIELD REFERENCE: a byte count ebtop must match exactly. A null
# count (the kernel lacks the hook) fails too: the matrix is there to show where it is missing.
check_exact() {
	local name=$1 json=$2 pid=$3 field=$4 want=$5 got
	got=$(last_value "$json" ".pid == ${pid:-0}" "$field")
	if [ -z "$want" ]; then
		fail "$name" "the workload printed no reference"
	elif [ -z "$got" ] && jq -e -s "any(.[].processes[]?; .pid == ${pid:-0})" "$json" >/dev/null; then
		fail "$name" "$field is null: ebtop reports it unavailable on this kernel (status above)"
	else
		check_eq "$name" "$got" "$want"
	fi
}

# conn_value JSON PID LPORT FIELD: FIELD of the last row of PID's TCP connection on its local
# port LPORT (the server's listening port, the client's ephemeral one: one connection each).
conn_value() {
	jq -rs --argjson pid "${2:-0}" --argjson lp "${3:-0}" --arg f "$4" \
		'[.[] | .processes[]? | select(.pid == $pid) | .connections[]? |
		  select(.proto == "tcp" and .lport == $lp)] | last | .[$f] // empty' "$1"
}

# check_conn NAME JSON PID LPORT FIELD REFERENCE: a field of a process's connection row, exact.
check_conn() {
	local name=$1 json=$2 pid=$3 lp=$4 field=$5 want=$6 got
	got=$(conn_value "$json" "$pid" "$lp" "$field")
	if [ -z "$want" ] || [ -z "$lp" ]; then
		fail "$name" "the workload printed no reference"
	elif [ -z "$got" ] && [ -z "$(conn_value "$json" "$pid" "$lp" proto)" ]; then
		fail "$name" "no TCP connection row for pid $pid on local port $lp; connections: $(jq -rs 'last |
			.features.connections | if .available then "available" else .reason end' "$json")"
	else
		check_eq "$name" "$got" "$want"
	fi
}

# The initramfs of a series, built once for all its runs.
initramfs_for() {
	local s=$1 kdir=$2 out=$TMP/initrd-$1.gz
	[ -s "$out" ] || make_initramfs "$kdir" "$out" || return 1
	echo "$out"
}

run_one() {
	local s=${1%%:*} mode=default label kdir initrd img console data json t0 secs kver st sender
	local pid want lp rp role dir hooks env try cmdline="console=ttyS0 loglevel=4 panic=-1 rdinit=/init"
	case $1 in *:*) mode=${1#*:} ;; esac
	label="$s $mode"
	hooks=$(expected_hooks "$s" "$mode") || { fail "$label: run" "unknown series or mode"; return; }
	env=$(mode_env "$mode") || { fail "$label: run" "unknown mode"; return; }
	[ -z "$env" ] || cmdline="$cmdline ebtop.env=$env"
	kdir=$(fetch_kernel "$s") || { fail "$label: kernel package" "could not fetch"; return; }
	kver=$(basename "$(echo "$kdir"/lib/modules/*)")
	initrd=$(initramfs_for "$s" "$kdir") || { fail "$label: initramfs" "could not build"; return; }
	img=$TMP/disk-$s-$mode.img console=$TMP/console-$s-$mode.txt data=$TMP/data-$s-$mode.txt
	json=$TMP/ebtop-$s-$mode.json
	echo "== kernel $s, $mode network hooks: $kver ($(basename "$kdir"))"
	# A guest that stops dead (no output, no oops, seen about once in 15 boots on a loaded
	# two-core host under TCG) is booted once more; the second try's result counts.
	for try in 1 2; do
		truncate -s 64M "$img"
		t0=$(date +%s)
		# No network device at all: the workloads talk over the VM's own loopback.
		timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 \
			-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$initrd" -append "$cmdline" \
			-drive "file=$img,format=raw,if=virtio,cache=unsafe" -nic none \
			-display none -monitor none -serial "file:$console" -serial "file:$data" \
			-no-reboot
		secs=$(($(date +%s) - t0))
		rm -f "$img"
		echo "$label: VM ran ${secs} s (limit $BOOT_TIMEOUT s)"
		grep '^=== ' "$data" | grep -v -e ' begin$' -e ' end$' | sed "s/^/  $label /"
		grep -q '^=== done' "$data" && break
		# A kernel oops: what it says and where, for whoever reads the CI log.
		grep -m 40 -E 'BUG|Oops|RIP:|Call Trace|Comm:|^\[ *[0-9.]+\]  [a-z_0-9.]+\+0x' \
			"$console" | sed "s/^/  $label console: /"
		if [ "$try" = 1 ]; then
			echo "INFO: $label: no end marker after $secs s (console tail: $(tail -3 "$console" |
				tr '\n' ' ')); booting again"
		else
			fail "$label: VM finished" "no end marker after $secs s, twice; console tail: $(tail -5 "$console" | tr '\n' ' ')"
		fi
	done
	section "$data" ebtop-json | base64 -d 2>/dev/null | gunzip 2>/dev/null >"$json"
	if [ -n "${EBTOP_QEMU_KEEP:-}" ]; then
		mkdir -p "$EBTOP_QEMU_KEEP" && cp "$json" "$data" "$console" "$EBTOP_QEMU_KEEP/"
	fi
	if ! jq -e -s 'length > 1' "$json" >/dev/null 2>&1; then
		fail "$label: ebtop JSON snapshots" "none; ebtop stderr: $(section "$data" ebtop-err | head -5 | tr '\n' ' ')"
		return
	fi
	section "$data" ebtop-err | sed "s/^/  $label ebtop stderr: /" | head -20
	# SIGTERM ends ebtop with status 0; anything else (a crash, an abort in free()) fails.
	check_eq "$label: ebtop exit status after SIGTERM" \
		"$(sed -n 's/^=== ebtop exit status //p' "$data")" 0
	st=$(jq -rs '[.[] | .status] | last' "$json")
	echo "  $label ebtop status: ${st:-(empty: every feature works)}"
	# The hooks ebtop says it counts network bytes with: another one, or none, fails.
	check_eq "$label: network hooks in use" "$(jq -rs 'last | .features.network |
		if .available then .hooks else "unavailable: \(.reason)" end' "$json")" "$hooks"
	# Cost per event over the whole run: the counters are cumulative, while ns_per_event covers
	# one interval and is null in those the program did not run. Emulated CPUs are slow.
	jq -rs --arg l "$label" 'last | .self.bpf_programs[]? |
		select(.run_cnt > 0 and (.name | test("^net_") or . == "sched_switch")) |
		"INFO: \($l) \(.name) \(.run_time_ns / .run_cnt | floor) ns/event (\(.run_cnt) runs, emulated CPU)"' \
		"$json"
	if [ "${EBTOP_QEMU_VERBOSE:-0}" = 1 ]; then
		jq -rs --arg l "$label" 'last | .self.bpf_programs[]? | select(.run_cnt > 0) |
			"  \($l) bpf \(.name): \(.run_cnt) runs, \(.run_time_ns / .run_cnt | floor) ns/event, \(.missed) missed"' \
			"$json"
	fi

	# TCP both ways, both processes exact in both directions, then each side's connection row.
	for role in tcp_client tcp_server; do
		pid=$(sed -n "s/^ref tcp //p" "$data" | jq -r "select(.role == \"$role\") | .pid")
		lp=$(sed -n "s/^ref tcp //p" "$data" | jq -r "select(.role == \"$role\") | .lport")
		rp=$(sed -n "s/^ref tcp //p" "$data" | jq -r "select(.role == \"$role\") | .rport")
		for dir in tx rx; do
			want=$(sed -n "s/^ref tcp //p" "$data" | jq -r "select(.role == \"$role\") | .$dir")
			check_exact "$label: TCP $role ${dir^^} bytes exact" "$json" "$pid" "tcp_${dir}_total" "$want"
			# kprobes see the call, not the socket: per-thread bytes only, no connection table.
			[ "$hooks" = kprobe ] && continue
			check_conn "$label: TCP $role connection row ${dir^^} bytes exact" "$json" "$pid" \
				"$lp" "${dir}_total" "$want"
		done
		[ "$hooks" = kprobe ] ||
			check_conn "$label: TCP $role connection row remote end" "$json" "$pid" "$lp" remote \
				"127.0.0.1:$rp"
	done
	if [ "$hooks" = kprobe ]; then
		check_eq "$label: connections unavailable, with a reason" "$(jq -rs 'last |
			.features.connections | "\(.available) \(.reason // "" | length > 0)"' "$json")" "false true"
		echo "  $label connections: $(jq -rs 'last | .features.connections.reason // empty' "$json")"
	fi
	# UDP: the sender's TX and the receiver's RX against the datagrams' bytes.
	check_exact "$label: UDP sender TX bytes exact" "$json" "$(ref "$data" usend pid)" udp_tx_total \
		"$(ref "$data" usend bytes)"
	check_exact "$label: UDP receiver RX bytes exact" "$json" "$(ref "$data" usink pid)" udp_rx_total \
		"$(ref "$data" usink bytes)"
	[ "$(ref "$data" usink bytes)" = "$(ref "$data" usend bytes)" ] ||
		echo "  $label note: the UDP receiver got $(ref "$data" usink datagrams) of $(ref "$data" usend datagrams) datagrams"
	# The short-lived sender: gone before most snapshots, its bytes must not be.
	sender=$(ref "$data" ssend pid)
	echo "  $label short sender lived $(ref "$data" ssend seconds) s"
	check_exact "$label: exited short sender TX bytes exact" "$json" "$sender" tx_total \
		"$(ref "$data" ssend bytes)"
	check_eq "$label: exited short sender shown as exited" \
		"$(last_value "$json" ".pid == ${sender:-0}" exited)" true
	# CPU: the kernel's own rusage of the busy child; 2% covers the tail after its last switch.
	pid=$(ref "$data" cpu pid)
	check_near "$label: busy thread CPU time vs wait4 rusage" \
		"$(last_value "$json" ".pid == ${pid:-0}" oncpu)" "$(ref "$data" cpu cpu_ns)" 0.02
	# Disk: O_DIRECT bypasses the page cache, so every byte is a block write by the writer.
	pid=$(ref "$data" dio pid)
	check_exact "$label: O_DIRECT writer disk write bytes" "$json" "$pid" disk_w_total \
		"$(ref "$data" dio bytes)"
}

command -v qemu-system-x86_64 >/dev/null || { fail "qemu-system-x86_64 installed" "run make deps"; exit 0; }
for t in "$EBTOP" "$TOOLS/netload" "$TOOLS/vmload"; do
	[ -x "$t" ] || { fail "kernel matrix: $t built" "run make"; exit 0; }
done
echo "kernel matrix: $EBTOP, runs: ${RUNS[*]}"
T0=$(date +%s)
for r in "${RUNS[@]}"; do
	run_one "$r"
done
echo "kernel matrix: ${#RUNS[@]} runs in $(($(date +%s) - T0)) s"
