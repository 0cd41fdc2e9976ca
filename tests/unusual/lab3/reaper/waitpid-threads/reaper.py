"""reaper.py MS... -- start children, reap each one the moment it exits.

Correct, but unusual: one thread per child, each blocked in os.waitpid(pid, 0) for its own
child; a thread prints its child's reaped line the moment that child exits, so the lines come
out in exit order.
"""
import argparse
import os
import sys
import threading
import time

printing = threading.Lock()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ms", type=int, nargs="+", help="how long each child sleeps, in milliseconds")
    args = ap.parse_args()
    if any(ms < 0 for ms in args.ms):
        ap.error("delays must not be negative")
    return args.ms


def spawn(ms, code):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(code)
    return pid


def reap(pid):
    _, status = os.waitpid(pid, 0)
    with printing:
        print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)


def main():
    delays = parse_args()
    # Every fork before the first thread starts: a process with threads is not forked.
    pids = [spawn(ms, i % 256) for i, ms in enumerate(delays, start=1)]
    waiters = [threading.Thread(target=reap, args=(pid,)) for pid in pids]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
