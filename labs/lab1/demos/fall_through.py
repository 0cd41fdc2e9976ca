"""Why a forked child must leave with os._exit.

    python3 /lab/demos/fall_through.py          # the children return: count the processes
    python3 /lab/demos/fall_through.py --exit   # the children call os._exit: three, as meant

The loop below means to fork 3 children. A child that does its work and simply goes on (returns,
or falls off the end of its branch) is still inside the loop: fork returned into the loop in both
processes. So it forks the remaining children too, and their children do the same: 2**3 - 1 = 7
processes instead of 3. sys.exit is no cure either: it raises SystemExit, which runs the parent's
`finally` blocks and atexit handlers a second time, in the child.
"""
import argparse
import atexit
import os
import sys

# run: python3 /lab/demos/fall_through.py > out.txt; grep -c ': I am a child' out.txt; grep -c 'atexit cleanup' out.txt
# shows: ^7\n8$
# run: python3 /lab/demos/fall_through.py --exit > out.txt; grep -c ': I am a child' out.txt; grep -c 'atexit cleanup' out.txt
# shows: ^3\n1$


def say(line):
    # One write(2) per line, so that lines printed at the same moment by two processes stay whole.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exit", action="store_true", help="leave each child with os._exit(0)")
    args = ap.parse_args()

    me = os.getpid()
    atexit.register(lambda: say(f"  atexit cleanup running in PID {os.getpid()}"))
    children = []
    for i in range(1, 4):
        pid = os.fork()
        if pid == 0:
            say(f"  PID {os.getpid()} (parent {os.getppid()}): I am a child, made in round {i}")
            if args.exit:
                os._exit(0)     # ends the process here: no loop, no cleanup, no buffers flushed
            children = []       # falls through: back into the loop, forking on its own account
            continue
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    if os.getpid() == me:
        say(f"PID {me} (the original) is done; count the 'I am a child' lines above")


if __name__ == "__main__":
    main()
