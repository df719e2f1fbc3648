# Shared by tools/amphi and the QEMU tests: how to run the kernel in QEMU.
# Source it; it defines amphi_qemu_accel, amphi_qemu_run and amphi_make_iso.

# The isa-debug-exit device: a write of S makes QEMU exit with S * 2 + 1.
AMPHI_QEMU_EXIT_DEVICE="isa-debug-exit,iobase=0xf4,iosize=0x04"

# amphi_qemu_accel ELF: prints "kvm" when KVM boots the kernel here, else
# "tcg". KVM is probed by booting for real with a timeout, because on some
# machines /dev/kvm exists but QEMU hangs or aborts with it, and on some
# (nested, without VT-x) it works but far slower than TCG: a working KVM
# boots to power-off in well under a second, TCG in about 0.3 s, so a
# probe that takes longer than 3 s means TCG is the better choice.
amphi_qemu_accel() {
	local elf=$1
	if [ "${AMPHI_ACCEL:-}" = tcg ] || [ "${AMPHI_ACCEL:-}" = kvm ]; then
		echo "$AMPHI_ACCEL"
		return
	fi
	local status=0
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		timeout -k 1 3 qemu-system-x86_64 -accel kvm -machine q35 -m 128M \
			-display none -nodefaults -no-reboot -serial none \
			-device "$AMPHI_QEMU_EXIT_DEVICE" -kernel "$elf" \
			-append "quiet amphi.noinit" >/dev/null 2>&1 </dev/null || status=$?
	else
		status=255
	fi
	# A clean power-off (status 0) makes QEMU exit with 1.
	if [ "$status" -eq 1 ]; then echo kvm; else echo tcg; fi
}

# amphi_qemu_run TIMEOUT ACCEL MACHINE SMP ELF|--cdrom ISO [--initrd F]
#                [--mem M] [-- CMDLINE]: boots with the serial console on
# stdout; returns QEMU's exit status (124 on timeout).
amphi_qemu_run() {
	local seconds=$1 accel=$2 machine=$3 smp=$4 image=$5
	shift 5
	local boot=(-kernel "$image") append="" extra=() mem=256M
	if [ "$image" = --cdrom ]; then
		boot=(-cdrom "$1")
		shift
	fi
	while [ $# -gt 0 ]; do
		case "$1" in
		--initrd) extra+=(-initrd "$2"); shift 2 ;;
		--mem) mem=$2; shift 2 ;;
		--) shift; append="$*"; break ;;
		*) extra+=("$1"); shift ;;
		esac
	done
	if [ "${boot[0]}" = -kernel ]; then
		boot+=(-append "$append")
	fi
	timeout -k 5 "$seconds" qemu-system-x86_64 -accel "$accel" \
		-machine "$machine" -m "$mem" -smp "$smp" -display none \
		-nodefaults -no-reboot -serial stdio \
		-device "$AMPHI_QEMU_EXIT_DEVICE" "${boot[@]}" "${extra[@]}" \
		</dev/null
}

# amphi_make_iso ELF ISO [CMDLINE [INITRD]]: a GRUB (BIOS) rescue image
# that boots the kernel through multiboot2 with the console on serial.
amphi_make_iso() {
	local elf=$1 iso=$2 cmdline=${3:-} initrd=${4:-}
	local dir
	dir=$(mktemp -d)
	mkdir -p "$dir/boot/grub"
	cp "$elf" "$dir/boot/amphi.elf"
	{
		echo 'serial --unit=0 --speed=115200'
		echo 'terminal_input serial console'
		echo 'terminal_output serial console'
		echo 'set timeout_style=hidden'
		echo 'set timeout=0'
		echo 'set default=0'
		echo 'menuentry "Amphi" {'
		echo "	multiboot2 /boot/amphi.elf $cmdline"
		if [ -n "$initrd" ]; then
			cp "$initrd" "$dir/boot/initrd"
			echo '	module2 /boot/initrd'
		fi
		echo '	boot'
		echo '}'
	} >"$dir/boot/grub/grub.cfg"
	grub-mkrescue -o "$iso" "$dir" >/dev/null 2>&1
	local status=$?
	rm -rf "$dir"
	return $status
}
