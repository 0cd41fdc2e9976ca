"""Spoof: forks nothing; prints a consistent chain of invented PIDs."""
import os
import sys

depth = int(sys.argv[1])
pids = [os.getppid()] + [os.getpid() + i for i in range(depth)]
for d in range(1, depth + 1):
    print(f"depth {d} pid {pids[d]} parent {pids[d - 1]}", flush=True)
print(f"chain status {depth - 1}", flush=True)
