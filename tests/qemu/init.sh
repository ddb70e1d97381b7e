#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# /init of the kernel-matrix initramfs: runs ebtop beside workloads with known counts and sends
# ebtop's JSON and the workloads' own figures to the host over the second serial port.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /sys/fs/bpf /sys/fs/cgroup /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmp /tmp
echo 0 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

# ttyS0 is the console and carries kernel messages too; ttyS1 carries only what we write, so
# the host can parse it. Raw mode: no CR added to newlines.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
say() { echo "$*"; echo "$*" >&3; }
finish() {
	say "=== done"
	sync
	poweroff -f
}

say "=== kernel $(cat /proc/sys/kernel/osrelease)"
# ebtop.env=NAME=VALUE on the kernel command line: NAME=VALUE in ebtop's environment (the
# run's mode, e.g. EBTOP_NET_HOOKS=kprobe). The kernel keeps dotted parameters from init.
for arg in $(cat /proc/cmdline); do
	case $arg in
	ebtop.env=*=*)
		export "${arg#ebtop.env=}"
		say "=== env ${arg#ebtop.env=}"
		;;
	esac
done
# Modules in dependency order, decompressed on the host (busybox insmod reads plain ELF only).
for m in $(cat /lib/modules/load.list); do
	insmod "/lib/modules/$m.ko" || say "=== insmod $m failed"
done
ip link set lo up
for _ in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || say "=== no /dev/vda"

wait_line() { # FILE WORD: a tool prints WORD once it listens
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

say "=== ebtop starting"
/bin/ebtop -b --json -d 1 -n 120 --bpf-stats >/tmp/ebtop.json 2>/tmp/ebtop.err &
ebtop=$!
# Counting starts once the programs are attached, and the verifier is slow under emulation.
# The deadline is in wall seconds (an emulated loop's own overhead is not) and well inside the
# host's limit, so a stuck ebtop is reported from here, with its stderr, not cut off by timeout.
t0=$(date +%s)
while [ ! -s /tmp/ebtop.json ] && kill -0 $ebtop 2>/dev/null && [ $(($(date +%s) - t0)) -lt 100 ]; do
	sleep 0.1
done
if [ ! -s /tmp/ebtop.json ]; then
	say "=== ebtop no snapshot after $(($(date +%s) - t0)) s"
	if kill -0 $ebtop 2>/dev/null; then
		for task in /proc/$ebtop/task/*; do
			say "=== ebtop thread ${task##*/}: $(grep '^State' "$task/status") wchan $(cat "$task/wchan")"
			sed 's/^/=== stack /' "$task/stack" >&3 2>/dev/null
		done
		kill -KILL $ebtop
	fi
	wait $ebtop
	say "=== ebtop exit status $?"
	echo "=== ebtop-err begin" >&3
	cat /tmp/ebtop.err >&3
	echo "=== ebtop-err end" >&3
	finish
fi
say "=== ebtop first snapshot after $(($(date +%s) - t0)) s"

# TCP both ways: 3000000 bytes up, 1000000 down, client and server in their own processes.
/bin/vmload tcp-pair 5001 3000000 1000000 >/tmp/ref.tcp 2>&1
# UDP: 2000 datagrams of 700 bytes, paced by the sender so none is dropped; the receiver asks
# for an 8 MiB buffer, which rmem_max would cap, and an emulated CPU falls behind easily.
echo 16777216 >/proc/sys/net/core/rmem_max
/bin/netload udp-sink 127.0.0.1 5002 2000 700 >/tmp/ref.usink 2>&1 &
sink=$!
wait_line /tmp/ref.usink ready
/bin/netload udp-send 127.0.0.1 5002 2000 700 >/tmp/ref.usend 2>&1
wait $sink
# A sender that sends 2 MiB (about 20 ms here) and exits at once: its counts must survive its exit.
/bin/netload tcp-sink 127.0.0.1 5003 1 >/tmp/ref.ssink 2>&1 &
sink=$!
wait_line /tmp/ref.ssink ready
/bin/netload tcp-send 127.0.0.1 5003 2097152 >/tmp/ref.ssend 2>&1
wait $sink
# One busy thread for 2 s; its CPU time from wait4's rusage.
/bin/vmload cpu 2 >/tmp/ref.cpu 2>&1
# 8 MiB of O_DIRECT writes to the virtio disk, 64 KiB each.
/bin/vmload dio /dev/vda 8388608 65536 >/tmp/ref.dio 2>&1
# Exited processes reach the snapshot after their exit: wait two intervals.
sleep 2.5
kill -TERM $ebtop
wait $ebtop
say "=== ebtop exit status $?"

say "=== refs begin"
for f in tcp usink usend ssink ssend cpu dio; do
	grep '^{' /tmp/ref.$f | sed "s/^/ref $f /" >&3
done
say "=== refs end"
# JSON of every process each second is large for an emulated UART: compressed, then base64.
echo "=== ebtop-json begin" >&3
gzip -c /tmp/ebtop.json | base64 >&3
echo "=== ebtop-json end" >&3
echo "=== ebtop-err begin" >&3
cat /tmp/ebtop.err >&3
echo "=== ebtop-err end" >&3
finish
