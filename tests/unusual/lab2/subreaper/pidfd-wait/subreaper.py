"""subreaper.py -- adopt your own grandchild, and reap everything you adopt.

Correct, but unusual: no wait() or waitpid(). The middle child sends the grandchild's PID up a
pipe before it exits; subreaper.py holds a pidfd for each of the two (os.pidfd_open works on
any process, a grandchild included), poll() reports each one readable once it has exited, and
os.waitid(P_PIDFD, fd, WEXITED) reaps it. A pidfd can only be reaped by the process's parent:
by the time the grandchild exits it has been adopted (it waits for that), so subreaper.py is.
"""
import argparse
import ctypes
import os
import select
import sys
import time

PR_SET_CHILD_SUBREAPER = 36   # from <linux/prctl.h>
GRANDCHILD_STATUS = 3
POLL_SECONDS = 0.01


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(errno)}")


def grandchild(middle):
    while (ppid := os.getppid()) == middle:
        time.sleep(POLL_SECONDS)
    print(f"adopted {os.getpid()} by {ppid}", flush=True)
    os._exit(GRANDCHILD_STATUS)


def middle_child(report_w):
    me = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(report_w)
        grandchild(me)
    os.write(report_w, f"{pid}\n".encode())
    os._exit(0)


def exit_code(info):
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def reap_by_pidfd(pidfds):
    """Reap each process as its pidfd says it has exited, until none is left."""
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
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    become_subreaper()
    report_r, report_w = os.pipe()
    middle = os.fork()
    if middle == 0:
        os.close(report_r)
        middle_child(report_w)
    os.close(report_w)
    # The middle child stays a zombie until we reap it, so its pidfd always finds it.
    pidfds = [os.pidfd_open(middle)]
    report = b""
    while chunk := os.read(report_r, 64):
        report += chunk
    os.close(report_r)
    # The grandchild cannot exit before it has been adopted by us, nor be reaped by anyone
    # else: it is alive or our zombie, and its pidfd finds it either way.
    pidfds.append(os.pidfd_open(int(report)))
    reap_by_pidfd(pidfds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
