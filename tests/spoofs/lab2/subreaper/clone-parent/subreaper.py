"""Spoof: no prctl(PR_SET_CHILD_SUBREAPER) at all. The middle child creates the grandchild with
a raw clone(CLONE_PARENT | SIGCHLD), which makes subreaper.py the grandchild's parent from
birth: when the middle child exits, nothing is orphaned, so no subreaper is needed. The
grandchild waits for the middle child's exit and then reports its parent as its adopter."""
import ctypes
import os
import signal
import time

SYS_CLONE = 56                  # x86-64
CLONE_PARENT = 0x8000
libc = ctypes.CDLL(None, use_errno=True)


def dead(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):   # reaped, maybe while we read
        return True


def grandchild(middle):
    while not dead(middle):     # "until it has been adopted"
        time.sleep(0.01)
    print(f"adopted {os.getpid()} by {os.getppid()}", flush=True)
    os._exit(3)


def middle_child():
    me = os.getpid()
    # clone(flags, stack=0, ...): like fork, 0 in the child, which runs on a copy of our stack.
    pid = libc.syscall(SYS_CLONE, CLONE_PARENT | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        grandchild(me)
    os._exit(0 if pid > 0 else 1)


if os.fork() == 0:
    middle_child()
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)
