#!/usr/bin/env bash
# The BusyBox workload (tests/workload/busybox.sh) on the host and on the
# hosted kernel. Nothing generated is stored: the host run with the same
# BusyBox is the expected output, made at test time.
#   busybox_workload.sh host SCRIPT
#       on the host: exit status 3 and the same output twice (enabled today)
#   busybox_workload.sh hosted AMPHI INITRAMFS SCRIPT [CPUS]
#       as init of the hosted kernel (init=.../busybox_workload, which runs
#       /bin/sh SCRIPT), against the host run: output and exit status 3;
#       with AMPHI_VALGRIND set, under Valgrind (user_hosted_boot)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/user_lib.sh"

mode=${1:-}
case "$mode" in
host | hosted) ;;
*) echo "usage: $0 host SCRIPT | hosted AMPHI INITRAMFS SCRIPT [CPUS]" >&2; exit 2 ;;
esac
if [ "$mode" = host ]; then script=$2; else script=$4; fi
status=$(user_host_workload "$script" "$user_work/host.out")
[ "$status" -eq "$USER_WORKLOAD_STATUS" ] ||
	user_fail "host run exited $status, expected $USER_WORKLOAD_STATUS: $(tail -n 5 "$user_work/host.out")"
grep -q '^workload done$' "$user_work/host.out" || user_fail "host run did not finish"

if [ "$mode" = host ]; then
	again=$(user_host_workload "$script" "$user_work/host2.out")
	[ "$again" -eq "$status" ] && cmp -s "$user_work/host.out" "$user_work/host2.out" ||
		{ user_fail "the host runs differ"; diff -u "$user_work/host.out" "$user_work/host2.out" | head -20; }
	user_finish "BusyBox workload on the host"
	exit 0
fi

amphi=$2 initramfs=$3 cpus=${5:-1}
where="hosted Amphi ($cpus CPUs)"
[ -z "${AMPHI_VALGRIND:-}" ] || where="$where under Valgrind"
user_hosted_boot "workload on $where" "$amphi" "$initramfs" "$cpus" \
	busybox_workload "$user_work/amphi.out"
user_compare "workload on $where" "$user_work/host.out" \
	"$USER_WORKLOAD_STATUS" "$user_work/amphi.out" "$user_status"
user_finish "BusyBox workload on $where"
