"""Who prints first? Nobody can say: the order of output between processes is not guaranteed.

    python3 /lab/demos/output_order.py                  # run it a few times and compare
    python3 /lab/demos/output_order.py --torn           # a line in pieces: two lines splice
    python3 /lab/demos/output_order.py --torn --whole   # the same, each line in one write

After fork, parent and children are separate processes, and the scheduler runs them in whatever
order it likes, on whichever CPU is free: the same program prints its lines in a different order
from one run to the next. The only order you can count on is the one you enforce, with wait.

A line is only safe from the others if it goes out in one write(2). With unbuffered output,
print("child", 1, "says hello") makes one write per piece (text, separator, text, ..., newline),
and the scheduler may run another process between any two of them: that process's line lands in
the middle. It is rare, so --torn makes it happen every time: the child stops halfway through its
line until the parent has written its own. With --whole the child writes its line in one write
before the same pause: the order may change, the lines stay whole. One write per line (say() in
the starter files) is what keeps every line whole.
"""
import argparse
import os
import sys

# run: python3 /lab/demos/output_order.py
# shows: ^parent: all children reaped; only this line is sure to come last$
# run: python3 /lab/demos/output_order.py --torn
# shows: ^child 1 says parent: this line landed in the middle$
# run: python3 /lab/demos/output_order.py --torn --whole
# shows: ^child 1 says hello$
# shows: ^parent: this line landed in the middle$


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def in_order_of_the_scheduler():
    pids = []
    for i in range(1, 6):
        pid = os.fork()
        if pid == 0:
            for n in range(3):
                say(f"child {i} line {n}")
            os._exit(0)
        pids.append(pid)
        say(f"parent forked child {i}")
    for _ in pids:
        os.wait()
    say("parent: all children reaped; only this line is sure to come last")


def torn(whole: bool):
    """The child is interrupted halfway through its line, as the scheduler may do at any write."""
    halfway_r, halfway_w = os.pipe()
    resume_r, resume_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        pieces = [b"child 1 says hello\n"] if whole else [b"child", b" ", b"1", b" ", b"says", b" "]
        for piece in pieces:
            os.write(1, piece)              # each piece one write(2), as unbuffered print does
        os.write(halfway_w, b".")           # "I am halfway": let the parent write now
        os.read(resume_r, 1)
        if not whole:
            os.write(1, b"hello")
            os.write(1, b"\n")
        os._exit(0)
    os.read(halfway_r, 1)
    os.write(1, b"parent: this line landed in the middle\n")
    os.write(resume_w, b".")
    os.waitpid(pid, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--torn", action="store_true", help="interrupt a child halfway through its line")
    ap.add_argument("--whole", action="store_true", help="with --torn: the child's line in one write")
    args = ap.parse_args()
    if args.torn:
        torn(args.whole)
    else:
        in_order_of_the_scheduler()


if __name__ == "__main__":
    main()
