#!/usr/bin/env bash
# QEMU boot tests of build/x86_64/amphi.elf, run by ctest (x86_64 preset).
#   qemu_test.sh boot MACHINE SMP ELF   self-tests on SMP CPUs, all online
#   qemu_test.sh panic ELF              deliberate fault: dump + backtrace
#   qemu_test.sh protection ELF         text and rodata read-only, data NX,
#                                       user pages: SMAP and SMEP
#   qemu_test.sh bad-input ELF          no initrd, huge command line,
#                                       fewer CPUs, no ACPI, initrd given
#   qemu_test.sh iso ELF                the GRUB multiboot2 ISO boots
#   qemu_test.sh initramfs ELF          -initrd (gzip cpio) unpacked into /
#   qemu_test.sh kvm ELF                as boot, under KVM (77: skipped)
# TCG unless AMPHI_ACCEL=kvm. Every QEMU run has a timeout.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu_lib.sh"
accel=${AMPHI_ACCEL:-tcg}
failures=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { echo "--- output ---"; tail -n 40 "$out"; echo "--------------"; }

# expect_status GOT WANT WHAT
expect_status() {
	[ "$1" -eq "$2" ] || { fail "$3: QEMU exited $1, expected $2"; show; }
}

# expect_line REGEX WHAT
expect_line() {
	grep -Eq -- "$1" "$out" || { fail "$2: no line matching /$1/"; show; }
}

# boot MACHINE SMP ELF [QEMU ARGS] [-- CMDLINE]: self-tests, status 0.
boot_selftest() {
	local machine=$1 smp=$2 elf=$3 status=0
	shift 3
	amphi_qemu_run 120 "$accel" "$machine" "$smp" "$elf" "$@" \
		-- amphi.selftest=1 panic=-1 >"$out" 2>&1 || status=$?
	expect_status "$status" 1 "$machine -smp $smp"
	expect_line "amphi: $smp CPUs? online" "$machine -smp $smp"
	expect_line 'selftest: [0-9]+ passed, 0 failed' "$machine -smp $smp"
	expect_line 'selftest: \[PASS\] smp_mutex_counter' "$machine -smp $smp"
	# Ring 3: every user-mode test ran (none skipped), on every CPU.
	expect_line 'selftest: \[PASS\] user_syscall' "$machine -smp $smp"
	expect_line 'selftest: \[PASS\] user_every_cpu' "$machine -smp $smp"
	expect_line 'selftest: [0-9]+ passed, 0 failed, 0 skipped' "$machine -smp $smp"
	! grep -q 'WARNING' "$out" || { fail "$machine -smp $smp: a warning"; show; }
}

test_boot() {
	boot_selftest "$1" "$2" "$3"
}

test_panic() {
	local elf=$1 status=0
	amphi_qemu_run 120 "$accel" q35 2 "$elf" \
		-- amphi.selftest=panic panic=-1 >"$out" 2>&1 || status=$?
	# panic=-1 resets at once; -no-reboot turns that into exit status 0.
	expect_status "$status" 0 "panic"
	expect_line '^page fault \(#PF\), vector 14, error code 0x2, CPU 0' panic
	expect_line '^kernel write access to 0000000000000010' panic
	expect_line '^RIP: [0-9a-f]{16} selftest_fault_inner\+0x' panic
	expect_line '^RAX: [0-9a-f]{16} RBX: ' panic
	expect_line '^R13: [0-9a-f]{16} R14: [0-9a-f]{16} R15: ' panic
	expect_line '^CR0: [0-9a-f]{16} CR2: 0000000000000010 CR3: ' panic
	expect_line '^Kernel panic - not syncing: fatal exception: page fault' panic
	# The call chain, innermost first, by name.
	local chain
	chain=$(grep -Eo '\] (selftest_fault_inner|selftest_fault_outer|selftest_fault|step_selftest|kmain)\+' "$out" |
		tr -d '+]' | tr -d ' ' | tr '\n' ' ')
	[ "$chain" = "selftest_fault_inner selftest_fault_outer selftest_fault step_selftest kmain " ] ||
		{ fail "panic: backtrace names '$chain'"; show; }
}

# The kernel image's protection: writing text or rodata and executing
# data each take a protection-violation page fault (present bit set).
test_protection() {
	local elf=$1 mode code access status
	for mode in write-text:0x3:write write-rodata:0x3:write exec-data:0x11:exec; do
		code=${mode#*:}
		access=${code#*:}
		code=${code%%:*}
		mode=${mode%%:*}
		status=0
		amphi_qemu_run 120 "$accel" q35 1 "$elf" \
			-- amphi.selftest="$mode" panic=-1 >"$out" 2>&1 || status=$?
		expect_status "$status" 0 "$mode"
		expect_line "^page fault \(#PF\), vector 14, error code $code, CPU 0" "$mode"
		expect_line "^kernel $access access to ffffffff[0-9a-f]{8} \(protection violation\)" "$mode"
		expect_line '^Kernel panic - not syncing: fatal exception: page fault' "$mode"
	done
	# A CPU with SMEP and SMAP (TCG's default one has neither): all the
	# self-tests, user mode included, pass with both on.
	status=0
	amphi_qemu_run 120 "$accel" q35 2 "$elf" -cpu max \
		-- amphi.selftest=1 panic=-1 >"$out" 2>&1 || status=$?
	expect_status "$status" 1 "-cpu max"
	expect_line 'cpu: SMEP on, SMAP on' "-cpu max"
	expect_line 'selftest: [0-9]+ passed, 0 failed, 0 skipped' "-cpu max"
	# The kernel reading (SMAP) or running (SMEP) a present user page.
	for mode in smap-read:0x1:read:0000000000400000 \
		smep-exec:0x11:exec:0000000000400120; do
		IFS=: read -r mode code access address <<<"$mode"
		status=0
		amphi_qemu_run 120 "$accel" q35 1 "$elf" -cpu max \
			-- amphi.selftest="$mode" panic=-1 >"$out" 2>&1 || status=$?
		expect_status "$status" 0 "$mode"
		expect_line "^page fault \(#PF\), vector 14, error code $code, CPU 0" "$mode"
		expect_line "^kernel $access access to $address \(protection violation\)" "$mode"
		expect_line '^Kernel panic - not syncing: fatal exception: page fault' "$mode"
	done
}

test_bad_input() {
	local elf=$1 status long initrd
	# Fewer CPUs than the machine could have: only enabled ones start.
	status=0
	amphi_qemu_run 120 "$accel" q35 1,maxcpus=4 "$elf" -- amphi.selftest=1 panic=-1 \
		>"$out" 2>&1 || status=$?
	expect_status "$status" 1 "maxcpus=4 with 1 CPU"
	expect_line 'amphi: 1 CPU online' "maxcpus=4 with 1 CPU"
	# No ACPI at all: a warning, then the boot CPU alone.
	status=0
	amphi_qemu_run 120 "$accel" pc,acpi=off 2 "$elf" -- amphi.selftest=1 panic=-1 \
		>"$out" 2>&1 || status=$?
	expect_status "$status" 1 "acpi=off"
	expect_line 'ACPI: no RSDP found' "acpi=off"
	expect_line 'amphi: 1 CPU online' "acpi=off"
	expect_line 'selftest: [0-9]+ passed, 0 failed' "acpi=off"
	# No initrd: nothing is reserved for one.
	status=0
	amphi_qemu_run 120 "$accel" q35 1 "$elf" -- loglevel=8 amphi.noinit >"$out" 2>&1 ||
		status=$?
	expect_status "$status" 1 "no initrd"
	[ "$(grep -c 'in use at boot' "$out")" -eq 2 ] ||
		{ fail "no initrd: expected 2 boot reservations"; show; }
	# An initrd is found and reserved.
	initrd=$(mktemp)
	head -c 300000 /dev/urandom >"$initrd"
	status=0
	amphi_qemu_run 120 "$accel" q35 1 "$elf" --initrd "$initrd" -- loglevel=8 amphi.noinit \
		>"$out" 2>&1 || status=$?
	rm -f "$initrd"
	expect_status "$status" 1 "initrd"
	[ "$(grep -c 'in use at boot' "$out")" -eq 3 ] ||
		{ fail "initrd: expected 3 boot reservations"; show; }
	# A command line longer than the kernel keeps: truncated, with a warning.
	long=$(head -c 4090 /dev/zero | tr '\0' 'x')
	status=0
	amphi_qemu_run 120 "$accel" q35 1 "$elf" -- amphi.selftest=1 panic=-1 \
		"a=$long" >"$out" 2>&1 || status=$?
	expect_status "$status" 1 "long command line"
	expect_line 'cmdline: truncated to 4095 bytes' "long command line"
	expect_line 'selftest: [0-9]+ passed, 0 failed' "long command line"
	# Longer still, QEMU's PVH ROM overwrites its own start info: the boot
	# says so and carries on with the CMOS memory sizes. The command line
	# is lost with it, so no init is found: the kernel panics as Linux
	# does and, without panic=, stays halted (the timeout ends QEMU).
	long=$(head -c 8000 /dev/zero | tr '\0' 'x')
	status=0
	amphi_qemu_run 15 "$accel" q35 2 "$elf" -- amphi.noinit "a=$long" >"$out" 2>&1 ||
		status=$?
	expect_status "$status" 124 "huge command line"
	expect_line 'Kernel panic - not syncing: No working init found' "huge command line"
	expect_line 'using the CMOS sizes' "huge command line"
	expect_line 'amphi: 2 CPUs online' "huge command line"
}

# The same initramfs handling as hosted: a gzip cpio from the host's cpio
# is unpacked into the tmpfs root and listed; a corrupt one is reported and
# the boot goes on.
test_initramfs() {
	local elf=$1 dir status
	dir=$(mktemp -d)
	mkdir -p "$dir/root/etc"
	printf 'hello\n' >"$dir/root/etc/motd"
	ln -s /etc/motd "$dir/root/motd"
	chmod 0755 "$dir/root"
	(cd "$dir/root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) |
		gzip -9 >"$dir/initrd.gz"
	head -c 4000 /dev/urandom | tr '\0\037' 'xy' >"$dir/junk"
	status=0
	amphi_qemu_run 120 "$accel" q35 2 "$elf" --initrd "$dir/initrd.gz" \
		-- amphi.debug=vfs amphi.noinit >"$out" 2>&1 || status=$?
	expect_status "$status" 1 "initramfs"
	expect_line 'vfs: unpacked initramfs' initramfs
	expect_line 'vfs:   lrwxrwxrwx +0 +0 +9 motd -> /etc/motd$' initramfs
	expect_line 'vfs:   drwxr-xr-x +0 +0 +[0-9]+ etc$' initramfs
	expect_line 'vfs:   drwxr-xr-x +0 +0 +[0-9]+ dev$' initramfs
	expect_line 'Freeing initrd memory: [0-9]+K' initramfs
	status=0
	amphi_qemu_run 120 "$accel" q35 1 "$elf" --initrd "$dir/junk" \
		-- amphi.debug=vfs amphi.noinit >"$out" 2>&1 || status=$?
	rm -rf "$dir"
	expect_status "$status" 1 "corrupt initramfs"
	expect_line 'initramfs: not a cpio newc header at byte 0' "corrupt initramfs"
	expect_line 'Boot complete' "corrupt initramfs"
}

test_iso() {
	local elf=$1 status=0 iso
	command -v grub-mkrescue >/dev/null || { echo "grub-mkrescue missing"; exit 1; }
	iso=$(mktemp --suffix=.iso)
	amphi_make_iso "$elf" "$iso" "amphi.selftest=1 panic=-1" ||
		{ rm -f "$iso"; fail "grub-mkrescue failed"; exit 1; }
	amphi_qemu_run 120 "$accel" pc 2 --cdrom "$iso" >"$out" 2>&1 || status=$?
	rm -f "$iso"
	expect_status "$status" 1 "ISO"
	expect_line 'amphi: 2 CPUs online' ISO
	expect_line 'selftest: [0-9]+ passed, 0 failed' ISO
}

test_kvm() {
	local elf=$1
	if [ "$(AMPHI_ACCEL='' amphi_qemu_accel "$elf")" != kvm ]; then
		echo "KVM does not work on this machine: skipped"
		exit 77
	fi
	accel=kvm
	boot_selftest q35 4 "$elf"
}

case "${1:-}" in
boot) test_boot "$2" "$3" "$4" ;;
panic) test_panic "$2" ;;
protection) test_protection "$2" ;;
bad-input) test_bad_input "$2" ;;
iso) test_iso "$2" ;;
initramfs) test_initramfs "$2" ;;
kvm) test_kvm "$2" ;;
*) echo "usage: $0 boot|panic|protection|bad-input|iso|initramfs|kvm ..." >&2; exit 2 ;;
esac
[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "qemu $1: all checks passed"
