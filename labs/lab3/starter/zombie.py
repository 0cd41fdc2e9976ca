"""zombie.py -- create exactly one zombie child and keep it.

Contract:
  Fork a child that exits at once (with os._exit). Once the kernel says the child is a zombie
  -- os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT); not by sleeping, and not by a pipe's
  EOF, which comes while the child is still exiting -- print `zombie <pid>` (flushed) and wait,
  WITHOUT reaping the child, until SIGTERM or SIGINT arrives; then exit with status 0 and no
  traceback.

The grader checks in /proc that <pid> is in state Z and is this program's child, that there is
still exactly one zombie child half a second later, then presses Ctrl-C and checks that the
program exited 0 and that the zombie is gone (reaped by its adopter).
"""
import argparse
import os
import signal
import sys


def block_stop_signals():
    """Make sure SIGINT and SIGTERM can't end the program before it is ready for them."""
    # TODO: before the fork, so no Ctrl-C can come too early: signal.pthread_sigmask.


def spawn_dying_child():
    """Fork a child that exits at once. Returns the child's PID (in the parent)."""
    # TODO: os.fork(); in the child, os._exit(0) straight away.
    return None


def wait_for_death_without_reaping(pid):
    """Return once the kernel reports that `pid` has exited, leaving it a zombie."""
    # TODO: ask the kernel. A plain waitpid() would reap the child: there would be no zombie.


def wait_for_stop_signal():
    """Return when SIGINT (Ctrl-C) or SIGTERM arrives, without a KeyboardInterrupt traceback."""
    # TODO: take one of the signals blocked at the start (signal.sigwait). Whatever you do,
    # the exit status must be 0.


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    block_stop_signals()
    pid = spawn_dying_child()
    wait_for_death_without_reaping(pid)
    # TODO: print(f"zombie {pid}", flush=True) once the child really is a zombie.
    wait_for_stop_signal()
    return 0


if __name__ == "__main__":
    sys.exit(main())
