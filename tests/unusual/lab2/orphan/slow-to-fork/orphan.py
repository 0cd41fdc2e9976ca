"""orphan.py -- make an orphan and let it find out who adopted it.

Contract:
  The parent forks one child, prints `parent <pid> child <cpid>` and exits 0 without waiting
  for it. The child notices that it has been reparented by polling os.getppid() (never by
  sleeping a fixed time), then prints `adopted <pid> by <ppid>`, where <ppid> is its new
  parent, and exits 0 -- within 1 s of the parent's exit.
"""
import argparse
import os
import sys
import time

POLL_SECONDS = 0.01
STARTUP_SECONDS = 0.8


def wait_until_orphaned(parent):
    """Return the PID of our new parent once `parent` is no longer it."""
    # The kernel changes our parent the moment the old one exits, and tells us nothing: no
    # signal, no event. getppid() is cheap, so ask it again and again. A fixed sleep would only
    # guess how long the parent lives, and a parent can be slowed down by anything.
    while (ppid := os.getppid()) == parent:
        time.sleep(POLL_SECONDS)
    # Report the PID we just read, not a fresh getppid(): had this adopter exited in between,
    # a second call would name a different process from the one we compared.
    return ppid


def child(parent):
    adopter = wait_until_orphaned(parent)
    print(f"adopted {os.getpid()} by {adopter}", flush=True)
    # os._exit: a forked child must never run the parent's cleanup or flush copies of its buffers.
    os._exit(0)


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    # The parent's PID, taken before fork: the child compares getppid() with it. Reading
    # getppid() in the child instead would race with the parent's exit: if the parent were
    # already gone, the child would wait for a change that has already happened.
    parent = os.getpid()
    time.sleep(STARTUP_SECONDS)   # stands for work done before the fork: a slow start
    pid = os.fork()
    if pid == 0:
        child(parent)
    print(f"parent {parent} child {pid}", flush=True)
    # No wait(): returning now orphans the child, and the kernel hands it to an adopter.
    return 0


if __name__ == "__main__":
    sys.exit(main())
