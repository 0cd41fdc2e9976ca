"""chain.py D -- a chain of D processes, each the parent of the next.

Correct, but unusual: each link waits for its child from a helper thread, which it starts
right after the fork and joins at once.
"""
import argparse
import os
import sys
import threading

MAX_DEPTH = 100


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("depth", type=int, help=f"how many processes in the chain (1 to {MAX_DEPTH})")
    args = ap.parse_args()
    if not 1 <= args.depth <= MAX_DEPTH:
        ap.error(f"D must be between 1 and {MAX_DEPTH}")
    return args.depth


def descend(total):
    depth = 1
    while True:
        say(f"depth {depth} pid {os.getpid()} parent {os.getppid()}")
        if depth == total:
            return depth, None
        pid = os.fork()
        if pid != 0:
            return depth, pid
        depth += 1


def child_status(pid):
    # The thread is started only after the fork, so no process of the chain forks while it
    # has a second thread.
    result = []
    waiter = threading.Thread(target=lambda: result.append(os.waitpid(pid, 0)[1]))
    waiter.start()
    waiter.join()
    return os.waitstatus_to_exitcode(result[0])


def main():
    total = parse_args()
    depth, child = descend(total)
    code = 0 if child is None else child_status(child) + 1
    if depth == 1:
        say(f"chain status {code}")
        return 0
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
