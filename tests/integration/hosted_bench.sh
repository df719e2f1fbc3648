#!/usr/bin/env bash
# Runs the in-kernel scheduler benchmarks on the hosted kernel with two CPUs
# (and the VFS ones) and checks that every benchmark reported a positive figure and the kernel
# powered off cleanly; and that a bad request fails. No timing thresholds:
# the figures are too noisy on shared machines to assert on.
# Usage: hosted_bench.sh path/to/amphi
set -u
amphi=$1
failures=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { echo "--- output ---"; tail -n 30 "$out"; echo "--------------"; }

# run STATUS ARGS...: boot with ARGS, expecting exit status STATUS.
run() {
	local want=$1 status=0
	shift
	timeout -k 5 120 "$amphi" "$@" >"$out" 2>&1 || status=$?
	[ "$status" -eq "$want" ] || { fail "amphi $* exited $status, expected $want"; show; }
}

# expect_line REGEX WHAT
expect_line() {
	grep -Eq -- "$1" "$out" || { fail "$2: no line matching /$1/"; show; }
}

positive='[1-9][0-9]*'
run 0 --cpus 2 amphi.bench=sched
expect_line 'bench: suite sched on 2 CPUs' "suite header"
for bench in context_switch mutex_handoff thread_create_join; do
	expect_line "bench: sched\\.$bench ns_per_op=$positive ops=$positive cpus=[12]\$" "$bench"
done
# With two CPUs online the hand-off is measured between them.
expect_line 'bench: sched\.mutex_handoff .* cpus=2$' "mutex_handoff across CPUs"
expect_line 'bench: done$' "closing line"
! grep -q 'failed' "$out" || { fail "a benchmark failed"; show; }

# One CPU: every benchmark still runs (the hand-off on that CPU).
run 0 --cpus 1 amphi.bench=sched amphi.bench_ms=20
expect_line 'bench: sched\.mutex_handoff .* cpus=1$' "mutex_handoff on one CPU"
expect_line 'bench: done$' "closing line, one CPU"

# The VFS suite: every figure (a benchmark that cannot remove what it
# created reports a failure, so this also checks the clean-up).
run 0 amphi.bench=vfs amphi.bench_ms=30
for bench in lookup_hit_10k lookup_miss_10k create_unlink_10k; do
	expect_line "bench: vfs\.$bench ns_per_op=$positive ops=$positive cpus=1\$" "$bench"
done
expect_line 'bench: done$' "closing line, vfs"
! grep -q 'failed' "$out" || { fail "a vfs benchmark failed"; show; }

# Bad requests power off with status 1 and say why.
run 1 amphi.bench=nosuch
expect_line "bench: unknown suite 'nosuch'" "unknown suite"
run 1 amphi.bench=sched amphi.bench_ms=0
expect_line 'bench: amphi.bench_ms must be 1 to' "zero budget"

# A clock that only moves when the CPU idles cannot time a busy loop: each
# benchmark says so instead of spinning until its operation limit.
run 1 --clock virtual amphi.bench=sched
for bench in context_switch mutex_handoff thread_create_join; do
	expect_line "bench: sched\\.$bench failed: the clock did not advance" "virtual clock, $bench"
done
expect_line 'bench: done$' "closing line, virtual clock"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "hosted bench: all checks passed"
