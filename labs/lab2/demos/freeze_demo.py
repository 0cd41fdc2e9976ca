"""Ctrl-S stops a terminal's output, and a program that prints waits inside print().

    python3 /lab/demos/freeze_demo.py
    (press Ctrl-S, wait a few seconds, press Ctrl-Q; Ctrl-C to end)

Every half second the demo prints how long its previous print() took. Ctrl-S (XOFF) tells the
terminal driver to stop output; the next write() blocks until Ctrl-Q (XON). The process is
alive and sleeping (STAT S), not stopped (T): only its output is. The grader uses exactly this
to hold a parent inside its print for as long as it likes.

The test below does from the same shell line what your Ctrl-S and Ctrl-Q do: tcflow(3) with
TCOOFF and TCOON, and it asks ps for the demo's state while the output is stopped.
"""
import argparse
import time

# run: python3 /lab/demos/freeze_demo.py --lines 5 & sleep 1; python3 -c 'import termios; termios.tcflow(0, termios.TCOOFF)'; sleep 2; state=$(ps -o stat= -p $!); python3 -c 'import termios; termios.tcflow(0, termios.TCOON)'; wait; echo "while stopped, the demo's STAT was $state"
# shows: the previous print\(\) took [1-9]\d{3,} ms
# shows: ^while stopped, the demo's STAT was S$


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1000, help="how many lines to print")
    lines = ap.parse_args().lines
    took = 0.0
    try:
        for count in range(1, lines + 1):
            start = time.monotonic()
            print(f"line {count}: the previous print() took {took * 1000:.0f} ms", flush=True)
            took = time.monotonic() - start
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
