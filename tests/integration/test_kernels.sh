#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix: Debian's 6.1 and 6.12 kernels under qemu, ebtop against exact workloads.
# Emulation makes it the slowest test: CI runs the suite twice (plain and SAN=1), and the
# sanitizer build adds nothing inside the VM, so only the plain run boots the kernels.
if [ "${BUILD:-build}" = build-san ] || [ "${EBTOP_SKIP_QEMU:-0}" = 1 ]; then
	echo "kernel matrix skipped (BUILD=${BUILD:-build}, EBTOP_SKIP_QEMU=${EBTOP_SKIP_QEMU:-0})"
	exit 0
fi
exec bash "$(dirname "$0")/../qemu/run-kernel.sh"
