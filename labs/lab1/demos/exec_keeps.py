"""What exec keeps and what it resets, as the kernel shows it in /proc/self.

    python3 /lab/demos/exec_keeps.py

The demo sets up its process: SIGINT ignored, a Python handler for SIGTERM, SIGUSR1 blocked, one
file left open across exec and one marked close-on-exec. Then it execs a new program in the
same process: itself, with --after, which reads the process's state back from /proc/self. The
PID and the parent stay; so do the ignored signal, the mask and the inheritable file. The
handler and the close-on-exec file are gone: they belonged to the old program.
"""
import os
import re
import signal
import sys

# run: python3 /lab/demos/exec_keeps.py
# shows: ^before exec: PID (\d+), parent (\d+)$[\s\S]*^after exec: +PID \1, parent \2$
# shows: ^ +SIGINT +ignored +\(kept
# shows: ^ +SIGTERM +default +\(reset
# shows: ^ +SIGUSR1 +blocked +\(kept
# shows: ^ +fd 3 +/etc/hostname +\(kept
# shows: ^ +fd 4 +closed by exec
# hides: ^ +fd \d+ +/etc/passwd +\(kept

KEPT, CLOSED = "/etc/hostname", "/etc/passwd"


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def before():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    kept = os.open(KEPT, os.O_RDONLY)
    os.set_inheritable(kept, True)        # Python opens every file close-on-exec; not this one
    closed = os.open(CLOSED, os.O_RDONLY)  # close-on-exec, as Python left it
    say(f"before exec: PID {os.getpid()}, parent {os.getppid()}")
    say("   SIGINT   ignored")
    say("   SIGTERM  handled by a Python function")
    say("   SIGUSR1  blocked")
    say(f"   fd {kept}     {KEPT}   (inheritable)")
    say(f"   fd {closed}     {CLOSED}     (close-on-exec)")
    say("exec: the same process now runs a new program")
    os.execv(sys.executable, [sys.executable, __file__, "--after", str(closed)])


def after(closed):
    # Read from the kernel, not from Python: Python's startup sets some handlers of its own.
    with open("/proc/self/status") as status_file:
        status = status_file.read()
    mask = {name: int(value, 16) for name, value in
            re.findall(r"^(SigIgn|SigCgt|SigBlk):\s*([0-9a-f]+)$", status, re.M)}

    def has(name, sig):
        return mask[name] >> (sig - 1) & 1

    say(f"after exec:  PID {os.getpid()}, parent {os.getppid()}")
    say(f"   SIGINT   {'ignored' if has('SigIgn', signal.SIGINT) else 'default'}"
        "  (kept: an ignored signal stays ignored)")
    say(f"   SIGTERM  {'caught' if has('SigCgt', signal.SIGTERM) else 'default'}"
        "  (reset: the handler was code of the old program, which is gone)")
    say(f"   SIGUSR1  {'blocked' if has('SigBlk', signal.SIGUSR1) else 'unblocked'}"
        "  (kept: the signal mask)")
    open_fds = {}
    for fd in sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2):
        try:
            open_fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:   # the listing's own descriptor, closed once it was read
            pass
    for fd, target in open_fds.items():
        say(f"   fd {fd}     {target}   (kept: it was not close-on-exec)")
    if closed not in open_fds:
        say(f"   fd {closed}     closed by exec (it was close-on-exec)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--after"]:
        after(int(sys.argv[2]))
    else:
        before()
