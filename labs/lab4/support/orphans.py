"""orphans.py COUNT [CODE] -- orphan COUNT grandchildren, then let them all exit at once.

A middle child forks COUNT grandchildren and exits; this program reaps it, so the grandchildren
are orphans, adopted by the init (PID 1, or the nearest child subreaper). Then:

    orphans ready <my pid> <grandchild pid> ...

Each grandchild blocks reading a pipe whose only write end this program holds. On the first
SIGUSR1 (sent by the grader, straight to this program) it closes that end: every grandchild
reads end-of-file and exits in the same instant, and the init inherits COUNT zombies at once.
On the second SIGUSR1 this program exits with CODE (default 0).
"""
import os
import signal
import sys


def grandchild(release_r):
    os.read(release_r, 1)   # returns b"" once the last write end is closed
    os._exit(0)


def middle(count, release_r, release_w, report_w):
    os.close(release_w)     # only the top program may hold the write end
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            os.close(report_w)
            grandchild(release_r)
        pids.append(pid)
    os.write(report_w, " ".join(map(str, pids)).encode())
    os._exit(0)             # without waiting: the grandchildren are orphaned now


def orphan_grandchildren(count):
    release_r, release_w = os.pipe()
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(report_r)
        middle(count, release_r, release_w, report_w)
    os.close(release_r)
    os.close(report_w)
    report = b""
    while chunk := os.read(report_r, 4096):
        report += chunk
    os.waitpid(pid, 0)      # the middle is our own child: we reap it, a good parent
    return report.decode(), release_w


def main():
    count = int(sys.argv[1])
    code = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    # Blocked before anything else, so a SIGUSR1 that comes early waits for sigwait.
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    pids, release_w = orphan_grandchildren(count)
    print(f"orphans ready {os.getpid()} {pids}", flush=True)
    signal.sigwait([signal.SIGUSR1])
    os.close(release_w)
    signal.sigwait([signal.SIGUSR1])
    return code


if __name__ == "__main__":
    sys.exit(main())
