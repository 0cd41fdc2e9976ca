"""Spoof: forks nothing; prints plausible lines with PIDs that follow its own."""
import os
import sys

n = int(sys.argv[1])
me = os.getpid()
pids = [me + i for i in range(1, n + 1)]
for pid in pids:
    print(f"forked {pid}", flush=True)
for pid in pids:
    print(f"child {pid} parent {me}", flush=True)
for position, pid in enumerate(pids, start=1):
    print(f"reaped {pid} status {position}", flush=True)
