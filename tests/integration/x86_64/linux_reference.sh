#!/usr/bin/env bash
# Checks the tests themselves against a real Linux kernel in the situation
# Amphi runs them in: each compared tests/user program and the BusyBox
# workload as (a child of) init, the console a terminal, Debian's cloud
# kernel (tools/fetch-linux) in QEMU with the default initramfs. The output
# must equal the host run's and the status be the same. Not part of ctest
# (it downloads a kernel); run it by hand after changing a test program:
#   tests/integration/x86_64/linux_reference.sh build/hosted/initramfs.cpio.gz \
#       build/hosted/tests/user tests/workload/busybox.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu_lib.sh"
. "$here/../user_lib.sh"
initramfs=$1 progdir=$2 script=$3
linux=$("$here/../../../tools/fetch-linux") || exit 1
accel=${AMPHI_ACCEL:-tcg}

# linux_run NAME OUT: boots NAME under linux_init.sh; OUT gets the console
# without Linux's own lines; prints the program's status.
linux_run() {
	local name=$1 out=$2
	amphi_qemu_run 300 "$accel" q35 2 "$linux" --initrd "$initramfs" --mem 512M \
		-cpu max,la57=off,-x2apic,-erms,-fsrm -- console=ttyS0 quiet \
		rdinit=/usr/libexec/amphi-tests/workload/linux_init.sh \
		"amphi_test=$name" panic=-1 2>&1 | tr -d '\r' |
		grep -Ev '^\[ *[0-9]+\.[0-9]+\] ' >"$out.raw"
	sed -n 's/^linux-init: status \([0-9]*\)$/\1/p' "$out.raw" | tail -n 1
	grep -v '^linux-init: status ' "$out.raw" >"$out"
}

for name in $USER_COMPARED; do
	user_check_host "$progdir" "$name" || continue
	status=$(linux_run "$name" "$user_work/$name.linux")
	user_compare "$name (Linux in QEMU)" "$user_work/$name.host" 0 \
		"$user_work/$name.linux" "${status:-255}"
done
status=$(user_host_workload "$script" "$user_work/workload.host")
[ "$status" -eq "$USER_WORKLOAD_STATUS" ] || user_fail "workload on the host exited $status"
status=$(linux_run busybox_workload "$user_work/workload.linux")
user_compare "workload (Linux in QEMU)" "$user_work/workload.host" \
	"$USER_WORKLOAD_STATUS" "$user_work/workload.linux" "${status:-255}"
user_finish "the user tests on Linux in QEMU"
