"""Orphan or zombie? Whoever dies first decides.

    python3 /lab/demos/orphan_or_zombie.py orphan &    # the parent dies first: an orphan
    python3 /lab/demos/orphan_or_zombie.py zombie &    # the child dies first: a zombie
    ps -o pid,ppid,stat,cmd                            # look while they run (10 s)

orphan: the parent exits at once; the child, alive and well (STAT S), runs on with a new parent.
zombie: the child exits at once; the parent lives on without waiting, so the child's exit
status stays in the process table (STAT Z, <defunct>) until the parent waits or dies.
"""
import argparse
import os
import time

# run: python3 /lab/demos/orphan_or_zombie.py orphan --seconds 3 & python3 /lab/demos/orphan_or_zombie.py zombie --seconds 3 & sleep 1; ps -o pid,ppid,stat,cmd; wait
# shows: (?s)^parent (\d+): forked (\d+), exiting now.*^\s*\2\s+1\s+S\s+python3 /lab/demos/orphan_or_zombie.py orphan
# shows: (?s)^parent (\d+): forked (\d+), which exits at once.*^\s*\2\s+\1\s+Z\s+\[python3\] <defunct>
# shows: ^  child \d+: my parent was \d+, it is now 1: I am an orphan


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("who", choices=["orphan", "zombie"], help="which one to make")
    ap.add_argument("--seconds", type=float, default=10, help="how long the survivor lives")
    args = ap.parse_args()

    parent = os.getpid()   # before fork: the orphan compares getppid() with it
    pid = os.fork()
    if pid == 0:
        if args.who == "zombie":
            os._exit(0)   # die first: we become a zombie until our parent waits
        while os.getppid() == parent:   # until the parent has exited and we are adopted
            time.sleep(0.01)
        print(f"  child {os.getpid()}: my parent was {parent}, it is now {os.getppid()}: "
              f"I am an orphan, alive, for {args.seconds:g} s", flush=True)
        time.sleep(args.seconds)
        os._exit(0)

    if args.who == "orphan":
        print(f"parent {parent}: forked {pid}, exiting now without waiting", flush=True)
        return
    print(f"parent {parent}: forked {pid}, which exits at once; I stay {args.seconds:g} s "
          "without waiting for it: it is a zombie meanwhile", flush=True)
    time.sleep(args.seconds)
    print(f"parent {parent}: exiting; my adopter-to-be reaps the zombie", flush=True)


if __name__ == "__main__":
    main()
