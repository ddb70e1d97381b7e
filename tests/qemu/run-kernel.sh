#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Boots another kernel under qemu (software emulation) with ebtop in an initramfs and runs
# `ebtop -b` there: checks feature probing on kernels that lack hooks this one has.
# usage: tests/qemu/run-kernel.sh [/boot/vmlinuz-VERSION] (apt-get install qemu-system-x86
#        linux-image-amd64 busybox-static cpio first; Debian 12's kernel is 6.1)
set -eu
cd "$(dirname "$0")/../.."
KERNEL=${1:-$(ls /boot/vmlinuz-* | head -1)}
EBTOP=${EBTOP:-$PWD/build/ebtop}
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,proc,sys,dev,etc}
cp /bin/busybox "$ROOT/bin/"
for a in sh mount poweroff; do ln -s busybox "$ROOT/bin/$a"; done
cp "$EBTOP" "$ROOT/bin/ebtop"
for lib in $(ldd "$EBTOP" | grep -o '/[^ ]*'); do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
cat >"$ROOT/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "=== kernel $(cat /proc/sys/kernel/osrelease)"
/bin/ebtop -b -n 2 -d 0.5 --top 3 --bpf-stats
echo "=== ebtop exit status $?"
poweroff -f
INIT
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$ROOT.cpio.gz"
timeout 300 qemu-system-x86_64 -kernel "$KERNEL" -initrd "$ROOT.cpio.gz" -m 1024 -smp 2 \
	-append "console=ttyS0 quiet panic=-1" -nographic -no-reboot 2>&1 | sed -n '/=== kernel/,/=== ebtop exit/p'
rm -f "$ROOT.cpio.gz"
