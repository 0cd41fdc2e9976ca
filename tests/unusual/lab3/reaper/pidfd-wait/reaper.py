"""reaper.py MS... -- start children, reap each one the moment it exits.

Correct, but unusual: no wait() for any child. Each child gets a pidfd (os.pidfd_open); poll()
reports it readable once that child has exited, and os.waitid(P_PIDFD, fd, WEXITED) reaps that
very child, so the reaped lines come out in exit order.
"""
import argparse
import os
import select
import sys
import time


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
    # A child that has already exited is a zombie until reaped, so the pidfd still finds it.
    return os.pidfd_open(pid)


def exit_code(info):
    if info.si_code == os.CLD_EXITED:
        return info.si_status
    return -info.si_status          # killed (or dumped) by signal si_status


def reap_in_exit_order(pidfds):
    poller = select.poll()
    for fd in pidfds:
        poller.register(fd, select.POLLIN)
    while pidfds:
        for fd, _ in poller.poll():
            info = os.waitid(os.P_PIDFD, fd, os.WEXITED)
            poller.unregister(fd)
            pidfds.remove(fd)
            os.close(fd)
            print(f"reaped {info.si_pid} status {exit_code(info)}", flush=True)


def main():
    delays = parse_args()
    pidfds = [spawn(ms, i % 256) for i, ms in enumerate(delays, start=1)]
    reap_in_exit_order(pidfds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
