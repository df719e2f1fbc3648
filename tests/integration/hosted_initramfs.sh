#!/usr/bin/env bash
# Boots the hosted kernel with initramfs archives made by the host's cpio
# (newc, plain and gzip) and checks the amphi.debug=vfs listing of /;
# then corrupt, truncated and escaping archives: one clear "initramfs:"
# message each, and the boot still completes.
# Usage: hosted_initramfs.sh path/to/amphi
set -u
amphi=$1
failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect INITRD PATTERN...: boot with the initrd, every pattern must match.
expect() {
	local initrd=$1
	shift
	"$amphi" --initrd "$initrd" amphi.debug=vfs amphi.noinit >"$work/out" 2>&1
	local got=$?
	[ "$got" -eq 0 ] || fail "boot with $(basename "$initrd") exited $got"
	for pattern in "$@"; do
		grep -Eq -- "$pattern" "$work/out" ||
			fail "$(basename "$initrd"): no match for /$pattern/ in: $(tail -c 800 "$work/out")"
	done
}

mkdir -p "$work/root/bin" "$work/root/etc"
printf 'hello\n' >"$work/root/etc/motd"
ln -s /etc/motd "$work/root/motd"
chmod 0755 "$work/root"
(cd "$work/root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) >"$work/plain.cpio"
gzip -9 -c "$work/plain.cpio" >"$work/packed.cpio.gz"

for archive in plain.cpio packed.cpio.gz; do
	expect "$work/$archive" 'vfs: unpacked initramfs' \
		'vfs:   drwxr-xr-x +0 +0 +[0-9]+ etc$' \
		'vfs:   lrwxrwxrwx +0 +0 +9 motd -> /etc/motd$' \
		'vfs:   drwxr-xr-x +0 +0 +[0-9]+ dev$' \
		'Freeing initrd memory: [0-9]+K' \
		'Boot complete'
done

# Truncated: cut inside an entry (the zeros cpio pads with may go).
head -c 300 "$work/plain.cpio" >"$work/cut.cpio"
expect "$work/cut.cpio" 'initramfs: archive truncated' 'vfs: initramfs unpacking failed' 'Boot complete'
head -c 60 "$work/packed.cpio.gz" >"$work/cut.gz"
expect "$work/cut.gz" 'initramfs: gzip data at byte 0: truncated' 'Boot complete'

# Escaping names, made with cpio itself from a list of paths.
mkdir -p "$work/esc/sub"
(cd "$work/esc/sub" && printf '../sub\n' | cpio --quiet -o -H newc) >"$work/dotdot.cpio" 2>/dev/null
expect "$work/dotdot.cpio" "initramfs: '..' in archive name" 'Boot complete'
printf '/etc/hostname\n' | cpio --quiet -o -H newc >"$work/abs.cpio" 2>/dev/null
expect "$work/abs.cpio" 'initramfs: absolute name in archive' 'Boot complete'

# Garbage is not an archive.
head -c 5000 /dev/urandom | tr '\0\037' 'xy' >"$work/junk"
expect "$work/junk" 'initramfs: not a cpio newc header at byte 0' 'Boot complete'

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "ok: initramfs boots"
