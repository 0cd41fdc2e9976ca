"""A child subreaper adopts the orphans among its descendants, instead of PID 1.

    python3 /lab/demos/subreaper_demo.py               # prctl(PR_SET_CHILD_SUBREAPER, 1) first
    python3 /lab/demos/subreaper_demo.py --no-prctl    # the same without it

The demo forks a middle child, which forks a grandchild and exits. The grandchild says who
adopted it: the demo itself when it is a subreaper, PID 1 otherwise. A subreaper must then
reap what it adopts: watch the demo's os.wait() return the grandchild too.
"""
import argparse
import ctypes
import os
import time

# run: python3 /lab/demos/subreaper_demo.py
# shows: (?s)^demo (\d+): a subreaper.*^    grandchild (\d+): the middle child \d+ is gone; my parent is now \1$.*^demo \1: reaped \2, exit code 7$
# run: python3 /lab/demos/subreaper_demo.py --no-prctl
# shows: (?s)^demo \d+: not a subreaper.*^    grandchild \d+: the middle child \d+ is gone; my parent is now 1$
# hides: exit code 7

PR_SET_CHILD_SUBREAPER = 36   # from <linux/prctl.h>


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)   # the C library, which has prctl(2)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def grandchild(middle):
    while (ppid := os.getppid()) == middle:
        time.sleep(0.01)
    print(f"    grandchild {os.getpid()}: the middle child {middle} is gone; my parent is now {ppid}",
          flush=True)
    time.sleep(0.3)
    os._exit(7)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-prctl", action="store_true", help="don't become a subreaper")
    args = ap.parse_args()

    if not args.no_prctl:
        become_subreaper()
    print(f"demo {os.getpid()}: {'not ' if args.no_prctl else ''}a subreaper", flush=True)
    # The family holds this pipe's write end until it exits: read() returns EOF only once the
    # grandchild is gone too, whoever adopted it.
    family_gone, held = os.pipe()
    if os.fork() == 0:
        middle = os.getpid()
        if os.fork() == 0:
            grandchild(middle)
        print(f"  middle {middle}: forked the grandchild, exiting", flush=True)
        os._exit(0)
    os.close(held)
    while True:
        try:
            pid, status = os.wait()   # our own child, and anything we adopted
        except ChildProcessError:
            print(f"demo {os.getpid()}: no children left", flush=True)
            break
        code = os.waitstatus_to_exitcode(status)
        print(f"demo {os.getpid()}: reaped {pid}, exit code {code}", flush=True)
    os.read(family_gone, 1)   # without prctl, the grandchild is not ours to wait for


if __name__ == "__main__":
    main()
