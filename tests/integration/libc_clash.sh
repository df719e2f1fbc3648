#!/usr/bin/env bash
# The hosted build links the core beside libc (DESIGN.md section 1): a core
# symbol with a libc name silently replaces libc's (a core sched_yield once
# turned the host's sched_yield into a kernel reschedule). Fails, listing
# them, if any global symbol of the given archives is also one of libc's.
# Usage: libc_clash.sh LIBC.so ARCHIVE...
set -u
libc=$1
shift
exports=$(nm -D --defined-only "$libc" | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u)
defined=$(nm --defined-only "$@" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort -u)
[ -n "$exports" ] && [ -n "$defined" ] || { echo "FAIL: no symbols read"; exit 1; }
clash=$(comm -12 <(echo "$exports") <(echo "$defined"))
if [ -n "$clash" ]; then
	echo "FAIL: core symbols that shadow libc's:"
	echo "$clash"
	exit 1
fi
echo "ok: $(echo "$defined" | wc -l) core symbols, none shadows libc"
