"""One call, two returns: what os.fork() gives back, and to whom.

    python3 /lab/demos/two_returns.py

Before fork there is one process; after it there are two, both running the line after the call.
The only difference between them is the value fork returned: the new child's PID in the parent,
0 in the child. Each can ask the kernel who it is (getpid) and who its parent is (getppid).
"""
import os
import sys

# run: python3 /lab/demos/two_returns.py
# shows: child : fork returned 0\.
# shows: parent: fork returned [1-9]\d*\.
# shows: ^after wait


def say(line):
    # One write(2) per line, so that lines printed at the same moment by two processes stay whole.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    say(f"before fork: one process, PID {os.getpid()}, parent {os.getppid()} (your shell)")
    pid = os.fork()
    # From here on, two processes run this same code.
    if pid == 0:
        say(f"  child : fork returned 0.   I am {os.getpid()}, my parent is {os.getppid()}")
        os._exit(0)
    say(f"  parent: fork returned {pid}. I am {os.getpid()}, my parent is {os.getppid()}")
    os.wait()   # collect the child's exit (section 3 of the handout)
    say("after wait: the child is gone; only the parent is left to print this")


if __name__ == "__main__":
    main()
