#!/usr/bin/env bash
# The self-checking procfs workload (tests/workload/procfs.sh): BusyBox's
# ps, pidof, pgrep, kill, killall, free, uptime, mount, df and top over
# /proc. It checks itself, so the host run proves the checks hold on Linux.
#   procfs_workload.sh host SCRIPT
#   procfs_workload.sh hosted AMPHI INITRAMFS [CPUS]
#       as init of the hosted kernel: busybox_workload runs /bin/sh on the
#       installed script (pid 1), which must pass and exit 0
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/user_lib.sh"

want="procfs workload: all checks passed"
case "${1:-}" in
host)
	status=$(user_host_workload "$2" "$user_work/host.out")
	[ "$status" -eq 0 ] && grep -qx "$want" "$user_work/host.out" ||
		user_fail "host run exited $status: $(tail -n 5 "$user_work/host.out")"
	user_finish "procfs workload on the host" ;;
hosted)
	amphi=$2 initramfs=$3 cpus=${4:-1} status=0
	timeout -k 5 120 "$amphi" --cpus "$cpus" --initrd "$initramfs" -- \
		$USER_CMDLINE "init=$USER_INIT_DIR/busybox_workload" -- \
		"$USER_INIT_DIR/workload/procfs.sh" \
		>"$user_work/amphi.out" 2>&1 </dev/null || status=$?
	tr -d '\r' <"$user_work/amphi.out" >"$user_work/amphi.clean"
	[ "$status" -eq 0 ] && grep -qx "$want" "$user_work/amphi.clean" ||
		user_fail "hosted ($cpus CPUs) exited $status: $(tail -n 8 "$user_work/amphi.clean")"
	user_finish "procfs workload on hosted Amphi ($cpus CPUs)" ;;
*)
	echo "usage: $0 host SCRIPT | hosted AMPHI INITRAMFS [CPUS]" >&2
	exit 2 ;;
esac
