"""Spoof: forks real children, but never waits; it prints the reaped lines it expects."""
import os
import sys

n = int(sys.argv[1])
pids = []
for position in range(1, n + 1):
    pid = os.fork()
    if pid == 0:
        os.write(1, f"child {os.getpid()} parent {os.getppid()}\n".encode())
        os._exit(position)
    os.write(1, f"forked {pid}\n".encode())
    pids.append(pid)
for position, pid in enumerate(pids, start=1):
    os.write(1, f"reaped {pid} status {position}\n".encode())
