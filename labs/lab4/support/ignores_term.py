"""ignores_term.py -- a program that has decided to ignore SIGTERM, and lives on.

An init forwards SIGTERM and leaves the decision to its child: this one ignores it, so under a
correct init it keeps running (until docker stop's grace period runs out and SIGKILL comes).
"""
import os
import signal


def main():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print(f"ignoring SIGTERM {os.getpid()}", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
