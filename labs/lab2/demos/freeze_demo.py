"""Ctrl-S stops a terminal's output, and a program that prints waits inside print().

    python3 /lab/demos/freeze_demo.py
    (press Ctrl-S, wait a few seconds, press Ctrl-Q; Ctrl-C to end)

Every half second the demo prints how long its previous print() took. Ctrl-S (XOFF) tells the
terminal driver to stop output; the next write() blocks until Ctrl-Q (XON). The process is
alive and sleeping, not stopped: only its output is. The grader uses exactly this to hold a
parent inside its print for as long as it likes.
"""
import time


def main():
    took = 0.0
    try:
        for count in range(1, 1000):
            start = time.monotonic()
            print(f"line {count}: the previous print() took {took * 1000:.0f} ms", flush=True)
            took = time.monotonic() - start
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
