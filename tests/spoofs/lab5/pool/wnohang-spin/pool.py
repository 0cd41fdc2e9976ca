"""Spoof: the reference pool, except that when fork fails it never blocks: it spins on
waitpid(-1, WNOHANG), a whole CPU's worth, until a child has ended. It never retries fork
before something was reaped, so the pids cgroup refuses no extra fork while every PID is held.
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
        reaped = False
        while not reaped or running:   # spin until one has ended, then take the rest
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                if reaped:
                    break
                continue                # nothing yet: ask again at once
            collect(pid, status)
            reaped = True
    if failed:
        print(f"{failed} of {tasks} tasks failed", flush=True)
        return 1
    print(f"done {tasks}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
