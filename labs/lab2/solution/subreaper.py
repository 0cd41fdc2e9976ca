"""subreaper.py -- adopt your own grandchild, and reap everything you adopt.

Contract:
  Become a child subreaper (prctl(PR_SET_CHILD_SUBREAPER) through ctypes). Fork a child that
  forks a grandchild and exits 0 at once. The grandchild waits until it has been adopted (by
  polling os.getppid()), prints `adopted <pid> by <ppid>` and exits 3. Reap both, printing
  `reaped <pid> status <exit code>` for each as it is reaped, then exit 0, leaving no zombie.
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
    # Python has no os.prctl; call the C library's prctl(2) directly. use_errno makes ctypes
    # keep errno, so a failure says why.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(errno)}")


def grandchild(middle):
    # Same as an orphan waiting for its adopter: only getppid() can tell us.
    while (ppid := os.getppid()) == middle:
        time.sleep(POLL_SECONDS)
    print(f"adopted {os.getpid()} by {ppid}", flush=True)
    os._exit(GRANDCHILD_STATUS)


def middle_child():
    me = os.getpid()   # taken before fork, for the grandchild to compare getppid() with
    if os.fork() == 0:
        grandchild(me)
    # Exit at once without waiting: the grandchild is orphaned, and because our parent is a
    # subreaper, the kernel gives the grandchild to it instead of to PID 1.
    os._exit(0)


def reap_everything():
    # os.wait() takes whichever child exits first: our own child, or one we adopted. Adopted
    # children are real children: wait() works on them like on any other. ECHILD means we have
    # no child left at all, adopted ones included. (By the time our child is a zombie, the
    # kernel has already reparented the grandchild to us, so ECHILD cannot come early.)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return
        print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    # Before the fork: the flag must be set by the time the middle child exits.
    become_subreaper()
    if os.fork() == 0:
        middle_child()
    reap_everything()
    return 0


if __name__ == "__main__":
    sys.exit(main())
