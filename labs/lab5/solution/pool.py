"""pool.py TASKS: run TASKS tasks as child processes, as many at once as the system allows.

Task i is a child that works for 20 ms and exits with status i % 256. When fork fails with
EAGAIN no PID is free: wait for a child to end (its zombie then gives its PID back), then try
again. Print "done TASKS" once every task has ended with the status it should have.
"""
import os
import sys
import time

TASK_SECONDS = 0.02


def task(number: int) -> None:
    """The child's work; never returns."""
    time.sleep(TASK_SECONDS)
    os._exit(number % 256)


def main() -> int:
    tasks = int(sys.argv[1])
    running: dict[int, int] = {}    # pid -> task number
    started = ended = failed = 0

    def collect(pid: int, status: int) -> None:
        nonlocal ended, failed
        number = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if code != number % 256:
            print(f"task {number} exited with {code}", flush=True)
            failed += 1
        ended += 1

    while ended < tasks:
        if started < tasks:
            try:
                pid = os.fork()
            except BlockingIOError:
                pid = None          # EAGAIN: reap below, then fork again
            if pid == 0:
                task(started)
            if pid is not None:
                running[pid] = started
                started += 1
                continue
        if not running:
            time.sleep(0.01)        # others hold every PID; nothing of ours to wait for
            continue
        collect(*os.wait())         # blocks until a child ends: no spinning
        while running:              # and whatever else has ended meanwhile
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            collect(pid, status)
    if failed:
        print(f"{failed} of {tasks} tasks failed", flush=True)
        return 1
    print(f"done {tasks}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
