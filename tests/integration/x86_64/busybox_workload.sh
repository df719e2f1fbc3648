#!/usr/bin/env bash
# The BusyBox workload as init of the bare-metal kernel in QEMU, against
# the host run with the same BusyBox: output and exit status 3 (QEMU
# exits with 2 * 3 + 1 = 7 through isa-debug-exit).
# Usage: busybox_workload.sh ELF INITRAMFS SCRIPT [SMP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu_lib.sh"
. "$here/../user_lib.sh"
elf=$1 initramfs=$2 script=$3 smp=${4:-2}
accel=${AMPHI_ACCEL:-tcg}

status=$(user_host_workload "$script" "$user_work/host.out")
[ "$status" -eq "$USER_WORKLOAD_STATUS" ] ||
	user_fail "host run exited $status, expected $USER_WORKLOAD_STATUS"
status=0
amphi_qemu_run 300 "$accel" q35 "$smp" "$elf" --initrd "$initramfs" \
	-- $USER_CMDLINE "init=$USER_INIT_DIR/busybox_workload" panic=-1 \
	>"$user_work/qemu.out" 2>&1 || status=$?
user_compare "workload (QEMU -smp $smp)" "$user_work/host.out" \
	$((USER_WORKLOAD_STATUS * 2 + 1)) "$user_work/qemu.out" "$status"
user_finish "BusyBox workload on Amphi in QEMU (-smp $smp)"
