#!/usr/bin/env bash
# The in-kernel scheduler and user-mode benchmarks on bare metal (QEMU, TCG unless
# AMPHI_ACCEL=kvm, two CPUs): every benchmark reports a positive figure
# and the kernel powers off with status 0. No timing thresholds.
# Usage: qemu_bench.sh ELF
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu_lib.sh"
elf=$1
accel=${AMPHI_ACCEL:-tcg}
failures=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { echo "--- output ---"; tail -n 30 "$out"; echo "--------------"; }
expect_line() {
	grep -Eq -- "$1" "$out" || { fail "$2: no line matching /$1/"; show; }
}

status=0
amphi_qemu_run 120 "$accel" q35 2 "$elf" -- amphi.bench=sched \
	amphi.bench_ms=50 panic=-1 >"$out" 2>&1 || status=$?
# isa-debug-exit: power-off status 0 makes QEMU exit with 1.
[ "$status" -eq 1 ] || { fail "QEMU exited $status, expected 1"; show; }
positive='[1-9][0-9]*'
for bench in context_switch mutex_handoff thread_create_join; do
	expect_line "bench: sched\\.$bench ns_per_op=$positive ops=$positive cpus=[12]\$" "$bench"
done
expect_line 'bench: sched\.mutex_handoff .* cpus=2$' "mutex_handoff across CPUs"
expect_line 'bench: done$' "closing line"
! grep -q 'failed' "$out" || { fail "a benchmark failed"; show; }

# The system-call round trip through ring 3, both return paths.
status=0
amphi_qemu_run 120 "$accel" q35 2 "$elf" -- amphi.bench=usermode \
	amphi.bench_ms=50 panic=-1 >"$out" 2>&1 || status=$?
[ "$status" -eq 1 ] || { fail "user: QEMU exited $status, expected 1"; show; }
for bench in syscall syscall_exact; do
	expect_line "bench: usermode\\.$bench ns_per_op=$positive ops=$positive cpus=1\$" "$bench"
done
! grep -q 'failed' "$out" || { fail "a user benchmark failed"; show; }

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "qemu bench: all checks passed"
