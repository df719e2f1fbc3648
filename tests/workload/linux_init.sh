#!/bin/sh
# tests/workload/linux_init.sh: the init of the Linux reference runs
# (tests/integration/x86_64/linux_reference.sh), Linux only: Linux passes
# the unknown "amphi_test=NAME" kernel parameter in init's environment.
# Runs /usr/libexec/amphi-tests/NAME, prints its status on a last line, lets
# the console drain, and powers off (init may not exit on Linux: the panic
# that follows would cut the console's pending output).
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
/usr/libexec/amphi-tests/"$amphi_test"
status=$?
echo "linux-init: status $status"
sleep 1
poweroff -f
