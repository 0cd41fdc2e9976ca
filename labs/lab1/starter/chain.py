"""chain.py D -- a chain of D processes, each the parent of the next.

Contract (one line per event, each written whole with say()):
  The first process is depth 1; each process at depth d < D forks one child, at depth d + 1.
  Each prints `depth <d> pid <its pid> parent <its parent's pid>`. The deepest exits 0; every
  other process waits for its child and exits with the child's exit status + 1, except the
  first, which prints `chain status <that number>` (D - 1) and exits 0.

    $ python3 chain.py 3
    depth 1 pid 40 parent 7
    depth 2 pid 41 parent 40
    depth 3 pid 42 parent 41
    chain status 2

The grader checks the kernel's view: each process's parent must really be the one above it,
and no process may be left a zombie.
"""
import argparse
import os
import sys

MAX_DEPTH = 100


def say(line):
    """Print one line: one write(2) for the whole line, flushed at once (see fork_children.py)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("depth", type=int, help=f"how many processes in the chain (1 to {MAX_DEPTH})")
    args = ap.parse_args()
    if not 1 <= args.depth <= MAX_DEPTH:
        ap.error(f"D must be between 1 and {MAX_DEPTH}")
    return args.depth


def main():
    total = parse_args()
    # TODO: starting at depth 1, say the depth line; if this is not the deepest, fork. The
    # parent stays at its depth and waits for its child; the child goes one level deeper and
    # does the same. Every process but the first leaves with os._exit(code); the first says
    # `chain status <code>` and returns 0.
    return 0


if __name__ == "__main__":
    sys.exit(main())
