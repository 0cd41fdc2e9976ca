"""Spoof: forks the children but never waits; prints the statuses it expects, on schedule."""
import os
import sys
import time

delays = [int(a) for a in sys.argv[1:]]
pids = []
for i, ms in enumerate(delays, start=1):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(i % 256)
    pids.append(pid)
time.sleep(max(delays) / 1000 + 0.3)
for index in sorted(range(len(delays)), key=lambda i: delays[i]):
    print(f"reaped {pids[index]} status {(index + 1) % 256}", flush=True)
