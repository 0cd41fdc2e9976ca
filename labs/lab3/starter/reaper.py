"""reaper.py MS... -- start children, reap each one the moment it exits.

Contract:
  For each argument i (1-based), fork a child that sleeps MS[i] milliseconds and exits with
  status i % 256 (via os._exit). Reap every child as it exits, in exit order, printing
  `reaped <pid> status <exit code>` (flushed; the exit code, not the raw wait status), and exit
  0 after the last. No child may stay a zombie longer than 100 ms.

The grader uses delays like `1200 300 900 600`: waiting in spawn order, or polling with long
sleeps in between, leaves children lying around as zombies and is caught.
"""
import argparse
import os
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ms", type=int, nargs="+", help="how long each child sleeps, in milliseconds")
    args = ap.parse_args()
    if any(ms < 0 for ms in args.ms):
        ap.error("delays must not be negative")
    return args.ms


def spawn(ms, code):
    """Fork a child that sleeps `ms` milliseconds, then exits with `code`. Returns its PID."""
    # TODO: os.fork(); the child sleeps, then leaves with os._exit(code) -- and must never
    # fall through into the parent's code.
    return None


def reap_in_exit_order(children):
    """Reap every PID in `children` as it exits, printing one `reaped` line for each."""
    # TODO: which wait call hands back whichever child dies first?
    # Decode the status with os.waitstatus_to_exitcode.


def main():
    delays = parse_args()
    children = {spawn(ms, i % 256) for i, ms in enumerate(delays, start=1)}
    reap_in_exit_order(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
