"""chain.py D -- a chain of D processes, each the parent of the next.

Contract (one line per event, each written whole with a single write):
  The first process is depth 1; each process at depth d < D forks one child, at depth d + 1.
  Each prints `depth <d> pid <its pid> parent <its parent's pid>`. The deepest exits 0; every
  other process waits for its child and exits with the child's exit status + 1, except the
  first, which prints `chain status <that number>` (D - 1) and exits 0.
"""
import argparse
import os
import sys

MAX_DEPTH = 100


def say(line):
    # One write(2) per line, flushed at once: see fork_children.py.
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
    """Fork down the chain. Returns (depth, child PID) in the process that must wait, or
    (total, None) in the deepest one."""
    depth = 1
    while True:
        say(f"depth {depth} pid {os.getpid()} parent {os.getppid()}")
        if depth == total:
            return depth, None
        pid = os.fork()
        if pid != 0:
            return depth, pid    # the parent stays at this depth and waits
        depth += 1               # the child goes round again, one level deeper


def child_status(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main():
    total = parse_args()
    depth, child = descend(total)
    code = 0 if child is None else child_status(child) + 1
    if depth == 1:
        say(f"chain status {code}")
        return 0
    # Every process below the first is a forked child: it leaves with os._exit, which both sets
    # the status its parent will collect and keeps it out of the first process's code.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
