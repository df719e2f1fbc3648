# tests/workload/procfs.sh: BusyBox's process and system tools over /proc,
# POSIX sh, self-checking: prints "procfs workload: all checks passed" and
# exits 0, or prints a FAIL line per broken check and exits 1. Runs on
# Amphi as pid 1 (busybox_workload -- THIS) and on the host (the same
# checks hold on Linux; those that need pid 1 or root run on Amphi only).
set -u
export TZ=UTC LC_ALL=C
WORKDIR=${WORKDIR:-/tmp/work}
mkdir -p "$WORKDIR" && cd "$WORKDIR" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { what=$1; shift; "$@" >/dev/null 2>&1 || fail "$what"; }

# ps lists this shell with its pid; -o gives the columns asked for.
ps -o pid,ppid,stat,comm >ps.out 2>&1 || fail "ps -o exited $?"
awk -v pid=$$ '$1 == pid { found = 1 } END { exit !found }' ps.out ||
	fail "ps -o does not list the shell ($$)"
head -n 1 ps.out | grep -q 'PID.*PPID.*STAT.*COMMAND' || fail "ps -o header: $(head -n 1 ps.out)"
ps >ps.out 2>&1 || fail "ps exited $?"
grep -q "^ *$$ " ps.out || fail "ps does not list the shell"
if [ $$ -eq 1 ]; then
	ps -o pid,ppid,comm | awk '$1 == 1 && $2 == 0 && $3 == "sh" { ok = 1 }
		END { exit !ok }' || fail "ps: pid 1 is not sh"
fi

# A sleeping background job: pidof and pgrep find it, ps shows it
# sleeping, kill ends it and it is gone from /proc.
sleep 100 &
job=$!
sleep 1
pidof sleep | tr ' ' '\n' | grep -qx "$job" || fail "pidof sleep: $(pidof sleep)"
if command -v pgrep >/dev/null 2>&1; then
	pgrep -x sleep | grep -qx "$job" || fail "pgrep -x sleep"
fi
state=$(awk '{ print $3 }' /proc/$job/stat)
[ "$state" = S ] || fail "sleep's state is '$state'"
[ "$(cat /proc/$job/comm)" = sleep ] || fail "comm of sleep: $(cat /proc/$job/comm)"
tr '\0' ' ' </proc/$job/cmdline | grep -qx 'sleep 100 ' || fail "cmdline of sleep"
[ "$(awk '{ print $4 }' /proc/$job/stat)" = $$ ] || fail "sleep's ppid"
kill $job
wait $job 2>/dev/null
[ -e /proc/$job ] && fail "/proc/$job still there after kill"
sleep 100 &
job=$!
sleep 1
killall sleep || fail "killall sleep exited $?"
wait $job 2>/dev/null
[ -e /proc/$job ] && fail "/proc/$job still there after killall"

# free agrees with /proc/meminfo.
total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
free | awk -v total="$total" '/^Mem:/ { exit !($2 == total) }' ||
	fail "free's total is not MemTotal ($total): $(free | grep Mem:)"

# uptime, mount, df, top.
uptime | grep -q 'load average' || fail "uptime: $(uptime)"
mount | grep -q '^proc on /proc type proc ' || fail "mount does not show /proc"
grep -q ' /proc proc ' /proc/mounts || fail "/proc/mounts"
grep -q ' / / ' /proc/self/mountinfo || fail "mountinfo has no root"
check "df /" df /
df / | tail -n 1 | awk '{ exit !($2 > 0 && $NF == "/") }' || fail "df /: $(df / | tail -n 1)"
top -b -n 1 >top.out 2>&1 || fail "top -b -n 1 exited $?"
grep -q 'PID' top.out || fail "top shows no process table"
grep -q '^Mem:' top.out || fail "top shows no memory line"

# Files of the shell itself.
grep -q '\[stack\]$' /proc/self/maps || fail "maps has no [stack]"
grep -q ' r-xp .*/busybox$' /proc/self/maps || fail "maps has no busybox text"
case $(readlink /proc/self/exe) in */busybox) ;; *) fail "exe: $(readlink /proc/self/exe)" ;; esac
[ "$(readlink /proc/$$/cwd)" = "$(pwd)" ] || fail "cwd link"
grep -q "^Pid:	$$\$" /proc/$$/status || fail "status Pid"
[ -d /proc/$$/task/$$ ] || fail "task/$$ missing"
awk '$1 ~ /^[0-9]+\.[0-9][0-9]$/ && $4 ~ /^[0-9]+\/[0-9]+$/ { ok = 1 } END { exit !ok }' /proc/loadavg ||
	fail "loadavg: $(cat /proc/loadavg)"
grep -q '^cpu  *[0-9]' /proc/stat || fail "/proc/stat cpu line"
grep -q '^processor' /proc/cpuinfo || fail "cpuinfo"

# /proc/self/fd/N leads to the file itself (what /dev/stdout links to):
# a pipe, a deleted file.
[ "$(echo via-fd >/proc/self/fd/1 | cat)" = via-fd ] || fail "write to /proc/self/fd/1 (a pipe)"
[ "$(echo piped | cat /proc/self/fd/0)" = piped ] || fail "cat /proc/self/fd/0 (a pipe)"
exec 3<>deleted.txt
echo kept >&3
rm deleted.txt
[ "$(cat /proc/self/fd/3)" = kept ] || fail "cat of a deleted file through /proc/self/fd/3"
exec 3>&-

# Root only (Amphi as pid 1): the host name through /proc.
if [ $$ -eq 1 ]; then
	echo testhost >/proc/sys/kernel/hostname || fail "write hostname"
	[ "$(hostname)" = testhost ] || fail "hostname: $(hostname)"
	hostname amphi
	[ "$(cat /proc/sys/kernel/hostname)" = amphi ] || fail "hostname back"
	# BusyBox mount passes MS_SILENT; a 1 MiB tmpfs shows and enforces it.
	mkdir -p "$WORKDIR/mnt"
	if mount -t tmpfs -o size=1m none "$WORKDIR/mnt"; then
		[ "$(df "$WORKDIR/mnt" | tail -n 1 | awk '{ print $2 }')" = 1024 ] ||
			fail "df of a size=1m tmpfs: $(df "$WORKDIR/mnt" | tail -n 1)"
		dd if=/dev/zero of="$WORKDIR/mnt/big" bs=1k count=2048 2>/dev/null &&
			fail "2 MiB fit in a size=1m tmpfs"
		umount "$WORKDIR/mnt" || fail "umount of the tmpfs"
	else
		fail "mount -t tmpfs -o size=1m"
	fi
	mount --make-private / || fail "mount --make-private /"
fi
echo x 2>/dev/null >/proc/uptime && fail "writing /proc/uptime succeeded"

cd / && rm -rf "$WORKDIR"
if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "procfs workload: all checks passed"
exit 0
