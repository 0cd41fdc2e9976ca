"""reaper.py MS... -- start children, reap each one the moment it exits.

Contract:
  For each argument i (1-based), fork a child that sleeps MS[i] milliseconds and exits with
  status i % 256. Reap every child as it exits, in exit order, printing
  `reaped <pid> status <exit code>` (the exit code, not the raw wait status), and exit 0 after
  the last. No child may stay a zombie longer than 100 ms.
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
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        # os._exit: end the child here, so it never falls through into the parent's loop below
        # and never runs the parent's cleanup a second time.
        os._exit(code)
    return pid


def reap_in_exit_order(children):
    # wait() blocks until *any* child has exited and reaps that one, so the kernel hands them
    # back in the order they die. Waiting for a particular PID instead would leave every child
    # that dies earlier sitting as a zombie until its turn comes.
    while children:
        pid, status = os.wait()
        children.discard(pid)
        # The raw status packs the code in bits 8..15 (or a signal number in the low bits);
        # waitstatus_to_exitcode decodes either case.
        print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)


def main():
    delays = parse_args()
    children = {spawn(ms, i % 256) for i, ms in enumerate(delays, start=1)}
    reap_in_exit_order(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
