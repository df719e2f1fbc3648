# Shared by the user-program and workload tests (hosted and x86_64): the
# program lists, the host reference runs and the comparison. Source it.
#
# A program's reference is its run on the host Linux: the same static
# binary, in an empty scratch directory, with an empty environment. Amphi
# boots the default initramfs with "quiet init=/usr/libexec/amphi-tests/NAME"
# (quiet: the console shows only what programs write), and its console
# output must equal the host's byte for byte, except that carriage returns
# are dropped (a console may turn \n into \r\n), and its exit status
# (hosted: the process's; QEMU: isa-debug-exit's 2 * status + 1) must be
# the host's.

# Compared with the host, output and status.
USER_COMPARED="fork_wait cow mmap_test brk_test threads pipes file_errno garbage signals polling procfs_test fpu_state pty record_locks"
# Timed, so only their format and status are checked.
USER_BENCHES="bench_getpid bench_fork bench_forkexec bench_pipe bench_fault"
# Where tools/mkinitramfs installs them.
USER_INIT_DIR=/usr/libexec/amphi-tests
# The kernel command line of every boot (then init=...).
USER_CMDLINE="quiet"

user_failures=0
user_work=$(mktemp -d)
trap 'rm -rf "$user_work"' EXIT

# user_abs PATH: PATH made absolute (the host runs change directory).
user_abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

user_fail() { echo "FAIL: $*"; user_failures=$((user_failures + 1)); }

# user_bench_pattern NAME: the line a benchmark prints.
user_bench_pattern() {
	case "$1" in
	bench_pipe) echo '^pipe [1-9][0-9]* MB/s$' ;;
	*) echo "^${1#bench_} [1-9][0-9]* ns\$" ;;
	esac
}

# user_host_run DIR NAME OUT: runs DIR/NAME on the host; prints its status.
user_host_run() {
	local dir name=$2 out=$3 status=0
	dir=$(cd "$1" && pwd)
	mkdir -p "$user_work/cwd"
	(cd "$user_work/cwd" && env -i timeout -k 5 120 "$dir/$name") \
		>"$out" 2>&1 || status=$?
	echo "$status"
}

# user_check_host DIR NAME: the host run must pass (status 0, the
# program's "all checks passed" or benchmark line) and be deterministic
# (a second run prints the same). Leaves the output in $user_work/NAME.host.
user_check_host() {
	local dir=$1 name=$2 status again
	status=$(user_host_run "$dir" "$name" "$user_work/$name.host")
	if [ "$status" -ne 0 ]; then
		user_fail "$name on the host exited $status: $(tail -n 3 "$user_work/$name.host")"
		return 1
	fi
	case " $USER_BENCHES " in
	*" $name "*)
		grep -Eq "$(user_bench_pattern "$name")" "$user_work/$name.host" ||
			{ user_fail "$name on the host: no result line"; return 1; }
		return 0 ;;
	esac
	grep -Eq "^$name: (all checks passed|survived [0-9]+ calls)\$" "$user_work/$name.host" &&
		[ "$(grep -c 'FAIL' "$user_work/$name.host")" -eq 0 ] ||
		{ user_fail "$name on the host: no 'all checks passed'"; return 1; }
	again=$(user_host_run "$dir" "$name" "$user_work/$name.host2")
	[ "$again" -eq 0 ] && cmp -s "$user_work/$name.host" "$user_work/$name.host2" ||
		{ user_fail "$name on the host is not deterministic"; diff -u \
			"$user_work/$name.host" "$user_work/$name.host2" | head -20; return 1; }
}

# user_compare WHAT EXPECTED_OUT EXPECTED_STATUS OUT STATUS: Amphi's run
# (OUT, STATUS) against the reference.
user_compare() {
	local what=$1 want=$2 want_status=$3 out=$4 status=$5
	tr -d '\r' <"$out" >"$out.clean"
	if [ "$status" -ne "$want_status" ]; then
		user_fail "$what: exit status $status, expected $want_status"
	fi
	if ! cmp -s "$want" "$out.clean"; then
		user_fail "$what: output differs from the host's (- host, + Amphi):"
		diff -u "$want" "$out.clean" | head -40
	fi
}

# user_check_bench WHAT NAME OUT STATUS WANT_STATUS: Amphi's benchmark run.
user_check_bench() {
	local what=$1 name=$2 out=$3 status=$4 want_status=$5
	tr -d '\r' <"$out" >"$out.clean"
	[ "$status" -eq "$want_status" ] ||
		user_fail "$what: exit status $status, expected $want_status"
	grep -Eq "$(user_bench_pattern "$name")" "$out.clean" ||
		{ user_fail "$what: no result line in: $(tail -c 400 "$out.clean")"; }
}

# user_host_workload SCRIPT OUT: runs the workload on the host with the
# same BusyBox applets (a directory of symlinks to /bin/busybox as the only
# PATH) and the environment busybox_workload gives it in Amphi; prints its
# exit status.
user_host_workload() {
	local script out=$2 status=0 applet
	script=$(user_abs "$1")
	if [ ! -d "$user_work/bin" ]; then
		mkdir -p "$user_work/bin"
		for applet in $(/bin/busybox --list); do
			ln -s /bin/busybox "$user_work/bin/$applet"
		done
	fi
	(cd "$user_work" && env -i PATH="$user_work/bin" HOME=/root TZ=UTC \
		LC_ALL=C WORKDIR="$user_work/scratch" \
		timeout -k 5 120 /bin/busybox sh "$script") >"$out" 2>&1 || status=$?
	echo "$status"
}

# The workload's distinctive exit status.
USER_WORKLOAD_STATUS=3

# user_hosted_boot WHAT AMPHI INITRAMFS CPUS NAME OUT: boots the hosted
# kernel AMPHI on CPUS CPUs with init=$USER_INIT_DIR/NAME, its console
# (stdout and stderr) in OUT; sets user_status to its exit status.
# With AMPHI_VALGRIND set (valgrind's path), the kernel runs under
# memcheck, whose report (OUT.valgrind) must be empty: any error, definite
# leak or warning (an unknown system call) fails WHAT, and an error also
# makes the status 1. The host children the kernel runs user programs in
# exec the runner's stub: Valgrind does not follow them
# (--trace-children=no), it checks the kernel's process only.
user_hosted_boot() {
	local what=$1 amphi=$2 initramfs=$3 cpus=$4 name=$5 out=$6
	local -a prefix=()
	if [ -n "${AMPHI_VALGRIND:-}" ]; then
		prefix=("$AMPHI_VALGRIND" -q --error-exitcode=1 --leak-check=full
			--show-leak-kinds=definite --errors-for-leak-kinds=definite
			--trace-children=no --log-file="$out.valgrind")
	fi
	user_status=0
	timeout -k 5 300 "${prefix[@]}" "$amphi" --cpus "$cpus" \
		--initrd "$initramfs" -- $USER_CMDLINE "init=$USER_INIT_DIR/$name" \
		>"$out" 2>&1 </dev/null || user_status=$?
	if [ -s "$out.valgrind" ]; then
		user_fail "$what: Valgrind reported:"
		head -n 60 "$out.valgrind"
	fi
}

user_finish() {
	if [ "$user_failures" -ne 0 ]; then
		echo "$user_failures check(s) failed"
		exit 1
	fi
	echo "$1: all checks passed"
}
