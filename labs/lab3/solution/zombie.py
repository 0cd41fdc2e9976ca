"""zombie.py -- create exactly one zombie child and keep it.

Contract:
  Fork a child that exits at once. Once the kernel says the child has exited (never guess by
  sleeping), print `zombie <pid>` and wait, without reaping it, until SIGTERM or SIGINT; then
  exit with status 0 and no traceback. The zombie is left to our adopter (tini) to reap.
"""
import argparse
import os
import signal
import sys

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def block_stop_signals():
    # Block before anything else: a Ctrl-C that arrives early stays pending instead of raising
    # KeyboardInterrupt somewhere in the middle, and sigwait() below will collect it.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def spawn_dying_child():
    pid = os.fork()
    if pid == 0:
        # os._exit, not sys.exit: the child must not run the parent's cleanup or flush its buffers.
        os._exit(0)
    return pid


def wait_for_death_without_reaping(pid):
    # WNOWAIT reports the exit but leaves the child in the process table, still holding its
    # status. Plain waitpid() here would reap it, and there would be no zombie to show.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def wait_for_stop_signal():
    # The stop signals are blocked, so they queue up as pending; sigwait() takes one off the
    # queue synchronously. No handler runs, so nothing can interrupt us halfway.
    return signal.sigwait(STOP_SIGNALS)


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    block_stop_signals()
    pid = spawn_dying_child()
    wait_for_death_without_reaping(pid)
    print(f"zombie {pid}", flush=True)
    wait_for_stop_signal()
    # Exit without waiting for the child: it is reparented to PID 1 (or the nearest subreaper),
    # which reaps it. That is the whole point of the exercise.
    return 0


if __name__ == "__main__":
    sys.exit(main())
