#!/usr/bin/env bash
# The tests/user programs as init of the bare-metal kernel in QEMU (TCG
# unless AMPHI_ACCEL=kvm), each against its run on the host: output byte
# for byte (carriage returns dropped) and exit status (isa-debug-exit:
# QEMU exits with 2 * status + 1).
# Usage: user_programs.sh ELF INITRAMFS PROGDIR [SMP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu_lib.sh"
. "$here/../user_lib.sh"
elf=$1 initramfs=$2 progdir=$3 smp=${4:-2}
accel=${AMPHI_ACCEL:-tcg}

for name in $USER_COMPARED $USER_BENCHES; do
	user_check_host "$progdir" "$name" || continue
	status=0
	amphi_qemu_run 300 "$accel" q35 "$smp" "$elf" --initrd "$initramfs" \
		-- $USER_CMDLINE "init=$USER_INIT_DIR/$name" panic=-1 \
		>"$user_work/$name.qemu" 2>&1 || status=$?
	case " $USER_BENCHES " in
	*" $name "*) user_check_bench "$name (QEMU -smp $smp)" "$name" \
		"$user_work/$name.qemu" "$status" 1 ;;
	*) user_compare "$name (QEMU -smp $smp)" "$user_work/$name.host" 1 \
		"$user_work/$name.qemu" "$status" ;;
	esac
done
user_finish "user programs on Amphi in QEMU (-smp $smp)"
