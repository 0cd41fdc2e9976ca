"""orphan.py -- make an orphan and let it find out who adopted it.

Contract:
  The parent forks one child, prints `parent <pid> child <cpid>` and exits 0 without waiting
  for it. The child notices that it has been reparented by polling os.getppid() (never by
  sleeping a fixed time), then prints `adopted <pid> by <ppid>`, where <ppid> is its new
  parent, and exits 0 -- within 1 s of the parent's exit.

The grader holds the parent inside its print for a while (it stops the terminal's output), so
the parent lives as long as the grader likes; and it runs the program three times: adopted by
a PID 1 that never reaps, by tini, and by a subreaper that is not PID 1.
"""
import argparse
import os
import sys
import time

POLL_SECONDS = 0.01


def wait_until_orphaned(parent):
    """Return the PID of our new parent once `parent` is no longer it."""
    # TODO: poll os.getppid() until it is no longer `parent`; return the value you read.
    return None


def child(parent):
    adopter = wait_until_orphaned(parent)
    # TODO: print the adopted line (flushed), then leave with os._exit(0).


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    # TODO: remember the parent's PID *before* forking: the child compares getppid() with it.
    # TODO: fork; the child runs child(...); the parent prints its line and returns 0.
    return 0


if __name__ == "__main__":
    sys.exit(main())
