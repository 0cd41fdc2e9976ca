"""A child subreaper adopts the orphans among its descendants, instead of PID 1.

    python3 /lab/demos/subreaper_demo.py               # prctl(PR_SET_CHILD_SUBREAPER, 1) first
    python3 /lab/demos/subreaper_demo.py --no-prctl    # the same without it
    python3 /lab/demos/subreaper_demo.py --no-wait     # a subreaper that never waits

The demo forks a middle child, which forks a grandchild and exits. The grandchild says who
adopted it: the demo itself when it is a subreaper, PID 1 otherwise. A subreaper must then
reap what it adopts: watch the demo's os.wait() return the grandchild too. With --no-wait it
adopts and never reaps: both are left as its zombies (state Z) for as long as it lives, which
is what a zombie whose parent has died usually means. When it exits, PID 1 inherits them.
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
# run: python3 /lab/demos/subreaper_demo.py --no-wait
# shows: (?s)^    grandchild (\d+): .* my parent is now (\d+)$.*^demo \2: grandchild \1 is in state Z, its parent is \2$
# shows: ^demo (\d+): middle child \d+ is in state Z, its parent is \1$

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


def start_family(family):
    """Fork the middle child, which forks the grandchild, sends us its PID and exits."""
    middle = os.fork()
    if middle == 0:
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            grandchild(me)
        os.write(family, f"{pid}".encode())
        print(f"  middle {me}: forked the grandchild, exiting", flush=True)
        os._exit(0)
    return middle


def read_until_gone(family_gone):
    """What the family wrote; the end comes once every one of them has closed the pipe."""
    data = b""
    while chunk := os.read(family_gone, 64):
        data += chunk
    return data


def reap_everything():
    while True:
        try:
            pid, status = os.wait()   # our own child, and anything we adopted
        except ChildProcessError:
            print(f"demo {os.getpid()}: no children left", flush=True)
            return
        code = os.waitstatus_to_exitcode(status)
        print(f"demo {os.getpid()}: reaped {pid}, exit code {code}", flush=True)


def show_unreaped(who, pid):
    # WNOWAIT: wait until the kernel has made it a zombie, and leave it one.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    with open(f"/proc/{pid}/stat") as f:
        state, ppid = f.read().rpartition(")")[2].split()[:2]
    print(f"demo {os.getpid()}: {who} {pid} is in state {state}, its parent is {ppid}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--no-prctl", action="store_true", help="don't become a subreaper")
    how.add_argument("--no-wait", action="store_true", help="adopt, but never reap")
    args = ap.parse_args()

    if not args.no_prctl:
        become_subreaper()
    print(f"demo {os.getpid()}: {'not ' if args.no_prctl else ''}a subreaper", flush=True)
    # The family holds this pipe's write end until it exits: read() returns EOF only once the
    # grandchild is gone too, whoever adopted it.
    family_gone, family = os.pipe()
    middle = start_family(family)
    os.close(family)
    if args.no_wait:
        grandchild_pid = int(read_until_gone(family_gone))
        # The middle child first: once it is a zombie, the kernel has given us the grandchild.
        show_unreaped("middle child", middle)
        show_unreaped("grandchild", grandchild_pid)
        print(f"demo {os.getpid()}: exiting without reaping them: PID 1 inherits both zombies",
              flush=True)
        return
    reap_everything()
    read_until_gone(family_gone)   # without prctl, the grandchild is not ours to wait for


if __name__ == "__main__":
    main()
