#!/usr/bin/env bash
# The tests/user programs on the host and on the hosted kernel.
#   user_programs.sh host PROGDIR
#       every program on the host: status 0, "all checks passed" (or the
#       benchmark's line), the same output twice (enabled today)
#   user_programs.sh hosted AMPHI INITRAMFS PROGDIR [CPUS]
#       each program as init of the hosted kernel (CPUS simulated CPUs,
#       default 1), against its host run: output byte for byte and status;
#       with AMPHI_VALGRIND set, under Valgrind (user_hosted_boot) and
#       without the benchmarks
# See user_lib.sh for the comparison rules.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/user_lib.sh"

mode=${1:-}
case "$mode" in
host)
	progdir=$2
	for name in $USER_COMPARED $USER_BENCHES; do
		user_check_host "$progdir" "$name" && echo "ok: $name on the host"
	done
	user_finish "user programs on the host" ;;
hosted)
	amphi=$2 initramfs=$3 progdir=$4 cpus=${5:-1}
	names="$USER_COMPARED $USER_BENCHES" where="hosted Amphi ($cpus CPUs)"
	if [ -n "${AMPHI_VALGRIND:-}" ]; then
		names=$USER_COMPARED where="$where under Valgrind"
	fi
	for name in $names; do
		user_check_host "$progdir" "$name" || continue
		user_hosted_boot "$name on $where" "$amphi" "$initramfs" \
			"$cpus" "$name" "$user_work/$name.amphi"
		case " $USER_BENCHES " in
		*" $name "*) user_check_bench "$name on $where" "$name" \
			"$user_work/$name.amphi" "$user_status" 0 ;;
		*) user_compare "$name on $where" "$user_work/$name.host" 0 \
			"$user_work/$name.amphi" "$user_status" ;;
		esac
	done
	user_finish "user programs on $where" ;;
*)
	echo "usage: $0 host PROGDIR | hosted AMPHI INITRAMFS PROGDIR [CPUS]" >&2
	exit 2 ;;
esac
