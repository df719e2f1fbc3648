#!/usr/bin/env bash
# docs/syscalls.md is generated from the syscall table: fails, showing the
# difference, when it is stale. Regenerate with
#   tools/gen-syscall-doc -o docs/syscalls.md
# Usage: syscall_doc.sh SOURCE_DIR
set -eu
root=$1
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
python3 "$root/tools/gen-syscall-doc" -o "$fresh" "$root/core/sys/syscall_table.c"
if ! diff -u "$root/docs/syscalls.md" "$fresh"; then
	echo "FAIL: docs/syscalls.md is stale: run tools/gen-syscall-doc -o docs/syscalls.md"
	exit 1
fi
echo "ok: docs/syscalls.md matches core/sys/syscall_table.c"
