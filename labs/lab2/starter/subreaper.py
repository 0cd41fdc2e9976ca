"""subreaper.py -- adopt your own grandchild, and reap everything you adopt.

Contract:
  Become a child subreaper (prctl(PR_SET_CHILD_SUBREAPER) through ctypes). Fork a child that
  forks a grandchild and exits 0 at once. The grandchild waits until it has been adopted (by
  polling os.getppid()), prints `adopted <pid> by <ppid>` and exits 3. Reap both, printing
  `reaped <pid> status <exit code>` for each as it is reaped, then exit 0, leaving no zombie.

The grader stops subreaper.py (SIGSTOP) while its family runs, to read from /proc who adopted
the grandchild and what status its zombie holds, then lets it go on (SIGCONT).
"""
import argparse
import ctypes
import os
import sys
import time

PR_SET_CHILD_SUBREAPER = 36   # from <linux/prctl.h>
GRANDCHILD_STATUS = 3
POLL_SECONDS = 0.01


def become_subreaper():
    """Make this process a child subreaper, or raise OSError saying why not."""
    # TODO: load the C library with ctypes.CDLL(None, use_errno=True) and call its
    # prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); it returns -1 on failure (ctypes.get_errno()).


def grandchild(middle):
    """Wait until `middle` is no longer our parent, say who adopted us, exit 3."""
    # TODO


def middle_child():
    """Fork the grandchild and exit 0 at once, without waiting for it."""
    # TODO: the grandchild needs this process's PID to compare getppid() with.


def reap_everything():
    """Reap every child, our own and adopted ones, printing a reaped line for each."""
    # TODO: os.wait() until it raises ChildProcessError (no children left at all).


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    become_subreaper()
    # TODO: fork the middle child, then reap everything.
    return 0


if __name__ == "__main__":
    sys.exit(main())
