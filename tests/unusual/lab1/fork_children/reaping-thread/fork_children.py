"""fork_children.py N -- fork N children while a helper thread reaps them.

Correct, but unusual: the main thread forks and prints the forked lines; a second thread
blocks in os.wait() and prints the reaped lines as the children exit, so reaping runs
alongside forking instead of after it.
"""
import argparse
import os
import sys
import threading

MAX_CHILDREN = 100


def say(line):
    # One write(2) per line and no Python buffer or lock: a child forked while the other
    # thread is in the middle of a print would inherit that print's lock, held for good.
    os.write(1, (line + "\n").encode())


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help=f"how many children to fork (1 to {MAX_CHILDREN})")
    args = ap.parse_args()
    if not 1 <= args.n <= MAX_CHILDREN:
        ap.error(f"N must be between 1 and {MAX_CHILDREN}")
    return args.n


def reap(n, forked):
    for _ in range(n):
        # One release per fork: wait() only when a child exists that is not reaped yet, or it
        # could run ahead of the forks and fail with ECHILD.
        forked.acquire()
        pid, status = os.wait()
        say(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}")


def main():
    n = parse_args()
    forked = threading.Semaphore(0)
    reaper = threading.Thread(target=reap, args=(n, forked))
    reaper.start()
    for position in range(1, n + 1):
        pid = os.fork()
        if pid == 0:
            say(f"child {os.getpid()} parent {os.getppid()}")
            os._exit(position)
        say(f"forked {pid}")
        forked.release()
    reaper.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
