#!/usr/bin/env bash
# Boots the hosted kernel and checks what it prints and how it exits, for a
# normal boot and for every kind of bad command-line input.
# Usage: hosted_boot.sh path/to/amphi
set -u
amphi=$1
failures=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN -- ARGS...: run amphi, check exit status and output.
expect() {
	local status=$1 pattern=$2
	shift 3
	# amphi.noinit: the boot path alone (no init program to start).
	if [ "$status" -eq 0 ]; then
		"$amphi" "$@" amphi.noinit >"$out" 2>&1
	else
		"$amphi" "$@" >"$out" 2>&1
	fi
	local got=$?
	[ "$got" -eq "$status" ] || fail "amphi $* exited $got, expected $status"
	grep -Eq -- "$pattern" "$out" || fail "amphi $*: no match for /$pattern/ in: $(head -c 600 "$out")"
}

# A normal boot: banner, memory map, memory summary, clean power-off.
expect 0 'Amphi [0-9.]+ \(hosted, debug build\) booting, 1 CPU$' --
expect 0 'Memory: [0-9]+K/262144K available' --
expect 0 '\[mem 0x0000000000000000-0x000000000fffffff\] usable' --
expect 0 'Command line: loglevel=8 hello=world' -- loglevel=8 hello=world
expect 0 'Memory: [0-9]+K/65536K available' -- --mem 64M
expect 0 'booting, 4 CPUs' -- --cpus=4
# Free memory must account for everything but the page map and the null page.
"$amphi" --mem 64M amphi.noinit >"$out" 2>&1
free_k=$(sed -nE 's/.*Memory: ([0-9]+)K\/65536K.*/\1/p' "$out")
[ -n "$free_k" ] && [ "$free_k" -gt 64000 ] || fail "too little free memory: '$free_k'K of 65536K"

# The initrd is loaded into RAM and reserved.
initrd=$(mktemp)
head -c 100000 /dev/urandom >"$initrd"
expect 0 'in use at boot' -- --initrd "$initrd"
rm -f "$initrd"

# The in-kernel self-tests on 1, 2 and 4 CPUs and in deterministic mode:
# every test passes, the power-off status is the failure count (0), and
# the lock checker and WARN_ON stay silent.
for args in "--cpus 1" "--cpus 2" "--cpus 4" "--cpus 1 --clock virtual"; do
	expect 0 'selftest: [0-9]+ passed, 0 failed' -- $args amphi.selftest=1
	grep -q 'smp_mutex_counter' "$out" || fail "amphi $args: no mutex self-test"
	! grep -q 'WARNING' "$out" || fail "amphi $args: $(grep -m1 -A3 WARNING "$out")"
done

expect 0 "selftest: unknown mode 'bogus'" -- amphi.selftest=bogus

# Bad input: one line on stderr, exit status 2, never a crash.
expect 2 '^amphi: invalid --mem' -- --mem lots
expect 2 '^amphi: --mem 1M is out of range' -- --mem 1M
expect 2 '^amphi: --mem 100G is out of range' -- --mem 100G
expect 2 '^amphi: invalid --cpus' -- --cpus 0
expect 2 '^amphi: invalid --cpus' -- --cpus 65
expect 2 "^amphi: option '--mem' needs a value" -- --mem
expect 2 "^amphi: unknown option '--frobnicate'" -- --frobnicate
expect 2 "^amphi: cannot read initrd '/nonexistent': No such file" -- --initrd /nonexistent
expect 2 "^amphi: cannot read initrd '/': not a regular file" -- --initrd /
for args in "--mem lots" "--frobnicate" "--initrd /nonexistent"; do
	lines=$("$amphi" $args 2>&1 | wc -l)
	[ "$lines" -eq 1 ] || fail "amphi $args printed $lines lines, expected 1"
done

# A command line longer than the kernel's limit is truncated, with a warning.
long=$(head -c 5000 /dev/zero | tr '\0' 'x')
expect 0 'cmdline: truncated to 4095 bytes' -- "a=$long" b

expect 0 'usage: amphi' -- --help

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "hosted boot: all checks passed"
