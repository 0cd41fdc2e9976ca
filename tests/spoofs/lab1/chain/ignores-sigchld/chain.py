"""Spoof: a real chain, but SIGCHLD is set to SIG_IGN (inherited by every link) and nobody
waits: the kernel discards each link as it exits. Each link stays until its child is gone (a
pidfd turns readable; the child in turn outlived its own), exits with the number it would have
passed up, and the first prints chain status D - 1."""
import os
import select
import signal
import sys


def say(line):
    os.write(1, (line + "\n").encode())


def until_gone(pid):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return                       # already discarded
    select.select([fd], [], [])
    os.close(fd)


total = int(sys.argv[1])
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
depth = 1
while True:
    say(f"depth {depth} pid {os.getpid()} parent {os.getppid()}")
    if depth == total:
        os._exit(0)
    pid = os.fork()
    if pid != 0:
        break
    depth += 1
until_gone(pid)
if depth == 1:
    say(f"chain status {total - 1}")
    sys.exit(0)
os._exit(total - depth)
