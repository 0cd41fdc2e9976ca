"""fork and wait in three acts.

    python3 /lab/demos/fork_basics.py

1. One call, two returns: os.fork() returns the child's PID in the parent and 0 in the child.
2. The wait status is not the exit code: decode it with os.waitstatus_to_exitcode.
3. Why a forked child leaves with os._exit: sys.exit would run the parent's cleanup a second time.
"""
import atexit
import os
import signal
import sys
import time

# run: python3 /lab/demos/fork_basics.py
# shows: (?s)child  (\d+): fork\(\) returned 0; my parent is (\d+).*parent \2: fork\(\) returned \1,|parent (\d+): fork\(\) returned (\d+),.*child  \4: fork\(\) returned 0; my parent is \3
# shows: child exited with 3: raw wait status 768 \(0x0300\) -> waitstatus_to_exitcode = 3$
# shows: child killed by SIGKILL: raw wait status 9 \(0x0009\) -> waitstatus_to_exitcode = -9$
# shows: cleanup running in PID (\d+)\n\[act 3\] the sys\.exit child was \1:
# shows: parent (\d+) exits now.*\n\[act 3\] atexit cleanup running in PID \1\n*\Z
# hides: cleanup running in PID (\d+)\n\[act 3\] the os\._exit child was \1:


def one_call_two_returns():
    print(f"[act 1] parent {os.getpid()}: calling fork()", flush=True)
    pid = os.fork()
    if pid == 0:
        # Only the child sees 0. It has its own PID; its parent is the process that forked.
        print(f"[act 1] child  {os.getpid()}: fork() returned 0; my parent is {os.getppid()}", flush=True)
        os._exit(0)
    print(f"[act 1] parent {os.getpid()}: fork() returned {pid}, my child's PID", flush=True)
    os.waitpid(pid, 0)


def show_status(label, status):
    code = os.waitstatus_to_exitcode(status)
    print(f"[act 2] {label}: raw wait status {status} (0x{status:04x}) -> "
          f"waitstatus_to_exitcode = {code}", flush=True)


def statuses():
    # A child that exits normally: the kernel keeps its code in bits 8..15 of the wait status.
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    show_status("child exited with 3", status)

    # A child killed by a signal: the low 7 bits hold the signal number, and the "exit code"
    # Python reports is the negative signal number.
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    show_status("child killed by SIGKILL", status)


def cleanup_runs_twice():
    # The parent registers a cleanup. fork copies the whole process, this registration included.
    atexit.register(lambda: print(f"[act 3] atexit cleanup running in PID {os.getpid()}", flush=True))

    pid = os.fork()
    if pid == 0:
        sys.exit(0)  # WRONG in a forked child: raises SystemExit, so the parent's atexit runs here too
    os.waitpid(pid, 0)
    print(f"[act 3] the sys.exit child was {pid}: its line above is the cleanup running twice", flush=True)

    pid = os.fork()
    if pid == 0:
        os._exit(0)  # right: ends the process at once, no cleanup, no buffer flushing
    os.waitpid(pid, 0)
    print(f"[act 3] the os._exit child was {pid}: no cleanup line from it", flush=True)
    print(f"[act 3] parent {os.getpid()} exits now; its own cleanup should run once, below", flush=True)


if __name__ == "__main__":
    one_call_two_returns()
    statuses()
    cleanup_runs_twice()
