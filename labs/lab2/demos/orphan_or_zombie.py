"""Orphan or zombie? Whoever dies first decides.

    python3 /lab/demos/orphan_or_zombie.py orphan &    # the parent dies first: an orphan
    python3 /lab/demos/orphan_or_zombie.py zombie &    # the child dies first: a zombie
    ps -o pid,ppid,stat,cmd                            # look while they run (10 s)

orphan: the parent exits at once; the child, alive and well, runs on with a new parent.
zombie: the child exits at once; the parent lives on without waiting, so the child's exit
status stays in the process table (STAT Z, <defunct>) until the parent waits or dies.
"""
import argparse
import os
import time

LIFETIME = 10


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("who", choices=["orphan", "zombie"], help="which one to make")
    who = ap.parse_args().who

    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        if who == "zombie":
            os._exit(0)   # die first: we become a zombie until our parent waits
        time.sleep(0.2)   # (only so that the parent's exit comes first in this demo)
        print(f"  child {os.getpid()}: my parent was {parent}, it is now {os.getppid()}: "
              f"I am an orphan, alive, for {LIFETIME} s", flush=True)
        time.sleep(LIFETIME)
        os._exit(0)

    if who == "orphan":
        print(f"parent {parent}: forked {pid}, exiting now without waiting", flush=True)
        return
    print(f"parent {parent}: forked {pid}, which exits at once; I stay {LIFETIME} s without "
          f"waiting for it: it is a zombie meanwhile", flush=True)
    time.sleep(LIFETIME)
    print(f"parent {parent}: exiting; my adopter-to-be reaps the zombie", flush=True)


if __name__ == "__main__":
    main()
