#!/usr/bin/env python3
"""A person at the console: drives an interactive BusyBox shell on Amphi
through a pseudo-terminal, the way someone would type at it.

    interactive_shell.py hosted AMPHI INITRAMFS [CPUS]
    interactive_shell.py qemu ELF INITRAMFS [SMP]

The kernel boots the default initramfs (BusyBox init, /etc/inittab, a
job-control shell on the console). Each step types a line or a control
character and waits for what a Linux console prints: the prompt, job
control (^Z, jobs, bg, fg, ^C), vi in raw mode editing and saving a file,
ps and top listing processes, cat ending on ^D, a window size change seen
by `stty size` (hosted: the host terminal's TIOCSWINSZ reaches the kernel
through SIGWINCH; over a serial line there is no such signal, so QEMU sets
it with `stty rows/cols`), ^C of a runaway loop in user space, and a clean
power-off. Exits 0 when every step passed; prints the transcript tail of
the first failure otherwise.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

STEP_TIMEOUT = 60.0  # seconds per step; QEMU TCG and sanitizers are slow
PROMPT = re.compile(rb"[#$] (\x1b\[6n)?$")
# BusyBox's line editor asks where the cursor is (DSR) right after its
# prompt, when no input is pending; a terminal answers. The answer must
# reach the line editor, not the next command: see prompt().
CURSOR_QUERY = b"\x1b[6n"
QUERY_GRACE = 5.0  # seconds the query may trail its prompt (serial, TCG)


class Console:
    def __init__(self, argv, rows=24, cols=80):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.resize(rows, cols)
        self.seen = b""  # everything read so far
        self.mark = 0    # where the current step's output starts
        self.scanned = 0  # cursor queries before this were answered

    def resize(self, rows, cols):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, data):
        self.mark = len(self.seen)
        os.write(self.fd, data)

    def line(self, text):
        # Typed slowly enough that a polled console sees each byte.
        self.send(b"")
        for byte in text.encode() + b"\r":
            os.write(self.fd, bytes([byte]))
            time.sleep(0.002)

    def expect(self, pattern, what, timeout=STEP_TIMEOUT, required=True):
        """Waits until `pattern` matches output of the current step; fails
        the test when it does not (raises TimeoutError if not required)."""
        if isinstance(pattern, str):
            # The host terminal adds its own \r to our \r\n (OPOST).
            pattern = re.compile(pattern.replace(r"\r\n", r"\r+\n").encode())
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self.seen, self.mark)
            if match:
                self.mark = match.end()
                return match
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                if not required:
                    raise TimeoutError(what)
                fail(self, what)

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the kernel exited, the slave closed
            return False
        if not data:
            return False
        self.seen += data
        self._answer_queries()
        return True

    def _answer_queries(self):
        """Answers each cursor query once, even one split across reads."""
        while True:
            at = self.seen.find(CURSOR_QUERY, self.scanned)
            if at < 0:
                self.scanned = max(self.scanned,
                                   len(self.seen) - len(CURSOR_QUERY) + 1)
                return
            self.scanned = at + len(CURSOR_QUERY)
            column = at - self.seen.rfind(b"\n", 0, at)
            os.write(self.fd, b"\x1b[%d;%dR" % (1, max(1, column)))

    def finish(self, timeout=STEP_TIMEOUT):
        """Waits for the kernel to exit; returns its status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            self._read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None


def fail(console, what):
    tail = console.seen[-1500:].decode(errors="replace")
    print(f"FAIL: {what}\n--- last output ---\n{tail}\n---")
    # The same bytes escaped: \r, the terminal's queries, lost bytes.
    print(f"--- this step's output, escaped ---\n"
          f"{console.seen[console.mark:][-600:]!r}\n---")
    try:
        os.kill(console.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    sys.exit(1)


def ok(what):
    print(f"ok: {what}", flush=True)


def prompt(console, what):
    """Waits for the prompt and, if it trails, the shell's cursor query:
    typing before the query is answered would hand the answer to the
    command we start (BusyBox documents this race of a fast typist)."""
    match = console.expect(PROMPT, what)
    if match.group(1) is None:
        try:
            console.expect(re.compile(re.escape(CURSOR_QUERY)),
                           what + " (cursor query)", timeout=QUERY_GRACE,
                           required=False)
        except TimeoutError:
            pass  # input was pending: the shell did not ask


def command(console, text, pattern, what):
    console.line(text)
    console.expect(pattern, what)
    prompt(console, f"prompt after: {what}")
    ok(what)


def scenario(console, serial):
    prompt(console, "the shell's prompt on the console")
    ok("prompt")
    command(console, "echo $((6 * 7))", r"\r\n42\r\n", "a command runs")
    # /dev/stdout (init's link to /proc/self/fd/1) when stdout is a pipe.
    command(console, "echo to-stdout >/dev/stdout | tr a-z A-Z",
            r"\r\nTO-STDOUT\r\n", "/dev/stdout reopens a pipe")

    # Job control: ^Z stops a foreground job, jobs lists it, bg/fg, ^C.
    console.line("sleep 100")
    time.sleep(1.0)
    console.send(b"\x1a")
    console.expect(r"\[1\]\+ +Stopped +sleep 100", "^Z stops sleep 100")
    prompt(console, "prompt after ^Z")
    ok("^Z stops the foreground job")
    command(console, "jobs", r"\[1\]\+ +Stopped +sleep 100", "jobs lists it")
    command(console, "bg", r"\[1\] sleep 100", "bg resumes it")
    command(console, "jobs", r"\[1\]\+ +Running +sleep 100",
            "jobs shows it running")
    console.line("fg")
    console.expect(r"sleep 100\r\n", "fg brings it back")
    time.sleep(0.5)
    console.send(b"\x03")
    prompt(console, "^C ends the foreground job")
    command(console, "echo status=$?", r"status=130", "^C: status 130")

    # A runaway loop in user space (no syscalls): preempted, ^C ends it.
    console.line("/usr/libexec/amphi-tests/spin")
    console.expect(r"spinning\r\n", "the runaway loop starts")
    time.sleep(1.0)
    console.send(b"\x03")
    prompt(console, "^C ends a runaway loop")
    command(console, "echo status=$?", r"status=130", "runaway loop: 130")

    # cat echoes what is typed (the tty's ECHO) and prints it; ^D ends it.
    console.line("cat")
    time.sleep(0.3)
    console.line("typed line")
    console.expect(r"typed line\r\ntyped line\r\n", "cat echoes and prints")
    console.send(b"\x04")
    prompt(console, "^D ends cat")
    ok("cat then ^D")

    # Line editing in canonical mode: erase (DEL) and kill (^U).
    console.line("echo wrongX\x7f\x7f\x7f\x7f\x7f\x7fright")
    console.expect(r"\r\nright\r\n", "erase edits the line")
    prompt(console, "prompt after erase")
    ok("line editing")

    # vi in raw mode: insert, escape, save, quit.
    console.line("vi /tmp/note.txt")
    console.expect(r"/tmp/note.txt", "vi opens the file")
    time.sleep(0.5)
    for keys in (b"i", b"hello from vi", b"\x1b", b":wq\r"):
        console.send(keys)
        time.sleep(0.2)
    prompt(console, "vi exits after :wq")
    command(console, "cat /tmp/note.txt", r"\r\nhello from vi\r\n",
            "vi saved the file")

    # Processes: ps and top list init and the shell.
    command(console, "ps", r"PID +USER.*\r\n(.*\r\n)*? +1 +root .*init",
            "ps lists init")
    command(console, "top -b -n 1", r"Mem:.*\r\n(.*\r\n)*?.*\binit\b",
            "top -n 1 lists processes")

    # Window size: a change on the terminal reaches `stty size`.
    if serial:
        command(console, "stty rows 30 cols 100; stty size", r"\r\n30 100\r\n",
                "stty sets the window size")
    else:
        console.resize(30, 100)  # the host kernel sends SIGWINCH
        time.sleep(0.5)
        command(console, "stty size", r"\r\n30 100\r\n",
                "the new window size reaches stty size")

    console.line("poweroff -f")
    status = console.finish()
    if status is None:
        fail(console, "poweroff -f: the kernel did not exit")
    ok(f"poweroff (status {status})")


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("hosted", "qemu"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    mode, kernel, initramfs = sys.argv[1:4]
    cpus = sys.argv[4] if len(sys.argv) > 4 else ("1" if mode == "hosted"
                                                   else "2")
    if mode == "hosted":
        argv = [kernel, "--cpus", cpus, "--initrd", initramfs, "--", "quiet"]
    else:
        argv = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35",
                "-m", "256M", "-smp", cpus, "-display", "none",
                "-nodefaults", "-no-reboot",
                "-chardev", "stdio,id=console,signal=off",
                "-serial", "chardev:console",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-kernel", kernel, "-initrd", initramfs,
                "-append", "quiet"]
    scenario(Console(argv), serial=(mode == "qemu"))
    print("interactive shell: all steps passed")


if __name__ == "__main__":
    main()
