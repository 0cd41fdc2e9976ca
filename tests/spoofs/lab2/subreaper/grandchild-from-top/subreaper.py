"""Spoof: a real subreaper that reaps for real, but its "grandchild" is its own child. It forks
the middle child (which exits 0 at once) and then forks the grandchild itself; the grandchild
waits for the middle child's death and prints its parent, subreaper.py, as its adopter."""
import ctypes
import os
import time

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER, as the exercise asks
me = os.getpid()
middle = os.fork()
if middle == 0:
    os._exit(0)                           # the middle child forks nothing


def middle_gone():
    try:
        with open(f"/proc/{middle}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):   # reaped, maybe while we read
        return True


if os.fork() == 0:                        # forked by subreaper.py, not by the middle child
    while not middle_gone():              # "until it has been adopted"
        time.sleep(0.01)
    print(f"adopted {os.getpid()} by {os.getppid()}", flush=True)
    os._exit(3)
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)
