"""Spoof: sets SIGCHLD to SIG_IGN, so the kernel discards each child as it exits: no zombie is
ever left, and no status is ever collected. It never waits; a pidfd per child tells it when
that child is gone, and then it prints the reaped lines it expects."""
import os
import select
import signal
import sys


def say(line):
    os.write(1, (line + "\n").encode())


def until_gone(pids):
    """Block until every one of pids has exited, without a wait: a pidfd turns readable once
    the kernel is done with its process (here, discarded it: no one is left to adopt it)."""
    fds = set()
    for pid in pids:
        try:
            fds.add(os.pidfd_open(pid))
        except ProcessLookupError:
            pass                     # already discarded
    while fds:
        ready, _, _ = select.select(list(fds), [], [])
        for fd in ready:
            fds.discard(fd)
            os.close(fd)


n = int(sys.argv[1])
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
pids = []
for position in range(1, n + 1):
    pid = os.fork()
    if pid == 0:
        say(f"child {os.getpid()} parent {os.getppid()}")
        os._exit(position)
    say(f"forked {pid}")
    pids.append(pid)
until_gone(pids)
for position, pid in enumerate(pids, start=1):
    say(f"reaped {pid} status {position}")
