"""Signals to PID 1: dropped unless PID 1 handles them, forwarded by tini.

    exec python3 /lab/demos/pid1_signals.py      # exec: this program takes the shell's PID
    python3 /lab/demos/pid1_signals.py --sleep 600   # just sleep (for docker stop, from the host)

As PID 1 of its container (make lab4, with exec), the program sends itself SIGTERM twice: first
with SIGTERM at its default action, which would kill any other process (the kernel drops it:
PID 1 gets only the signals it has a handler for), then with a handler (it runs).

Under tini (make lab4 INIT=tini, with exec) the program is tini's child. It sends SIGTERM to
PID 1, tini, which forwards it to its child: the program dies of it, and the container ends
with status 143 (128 + 15), as `docker stop` would have it. Without exec, the program is your
shell's child, not tini's: tini forwards SIGTERM to its own child, bash, which ignores it (an
interactive bash does), and the program carries on.
"""
# run: exec python3 /lab/demos/pid1_signals.py
# shows: ^I am PID 1 and SIGTERM is at SIG_DFL\. Sending myself SIGTERM
# shows: ^\.\.\.still here: the kernel drops a signal that PID 1 has not asked for\.$
# shows: ^\.\.\.the handler ran 1 time\(s\)\.
# run tini: exec python3 /lab/demos/pid1_signals.py
# shows: ^I am PID \d+; PID 1 is tini\. Sending PID 1 SIGTERM\.\.\.$
# hides: still here
# run tini: python3 /lab/demos/pid1_signals.py
# shows: ^\.\.\.still here: tini did not pass it on to me \(is it my parent\? my parent is \d+ \(bash\)\)$
# run: python3 /lab/demos/pid1_signals.py --sleep 0.2
# shows: ^PID \d+ sleeping 0\.2 s; PID 1 is bash$
import argparse
import os
import signal
import time


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def as_pid1():
    print(f"I am PID 1 and SIGTERM is at {signal.getsignal(signal.SIGTERM).name}. Sending myself "
          "SIGTERM, with no handler for it...", flush=True)
    os.kill(1, signal.SIGTERM)
    time.sleep(0.5)
    print("...still here: the kernel drops a signal that PID 1 has not asked for.", flush=True)
    received = []
    signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))  # no printing in handlers
    print("Now with a handler for SIGTERM...", flush=True)
    os.kill(1, signal.SIGTERM)
    time.sleep(0.5)
    print(f"...the handler ran {len(received)} time(s). Exiting (as PID 1, that ends the "
          "container).", flush=True)


def under_an_init():
    print(f"I am PID {os.getpid()}; PID 1 is {comm(1)}. Sending PID 1 SIGTERM...", flush=True)
    os.kill(1, signal.SIGTERM)
    time.sleep(1)
    print(f"...still here: {comm(1)} did not pass it on to me (is it my parent? "
          f"my parent is {os.getppid()} ({comm(os.getppid())}))", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sleep", type=float, help="only sleep this long, signals at their defaults")
    args = ap.parse_args()
    if args.sleep is not None:
        print(f"PID {os.getpid()} sleeping {args.sleep:g} s; PID 1 is {comm(1)}", flush=True)
        time.sleep(args.sleep)
    elif os.getpid() == 1:
        as_pid1()
    else:
        under_an_init()


if __name__ == "__main__":
    main()
