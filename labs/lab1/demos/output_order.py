"""Who prints first? Nobody can say: the order of output between processes is not guaranteed.

    python3 /lab/demos/output_order.py          # run it a few times and compare
    python3 /lab/demos/output_order.py --torn   # print() in pieces: lines can splice together

After fork, parent and children are separate processes, and the scheduler runs them in whatever
order it likes, on whichever CPU is free: the same program prints its lines in a different order
from one run to the next. The only order you can count on is the one you enforce, with wait.

A line is only safe from the others if it goes out in one write(2). print("a", 1) makes several
writes when stdout is unbuffered (text, separator, text, newline), and another process's write
can land between them; --torn shows it. One write per line (say() in the starter files) keeps
every line whole, whatever the order.
"""
import argparse
import os
import sys


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--torn", action="store_true", help="print each line in pieces, as print(a, b) does")
    args = ap.parse_args()
    if args.torn:
        sys.stdout.reconfigure(write_through=True)  # every piece is its own write(2)

    pids = []
    for i in range(1, 6):
        pid = os.fork()
        if pid == 0:
            for n in range(3):
                if args.torn:
                    print("child", i, "line", n, flush=True)
                else:
                    say(f"child {i} line {n}")
            os._exit(0)
        pids.append(pid)
        say(f"parent forked child {i}")
    for _ in pids:
        os.wait()
    say("parent: all children reaped; only this line is sure to come last")


if __name__ == "__main__":
    main()
