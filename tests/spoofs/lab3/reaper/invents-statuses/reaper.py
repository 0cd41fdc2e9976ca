"""Spoof: every child exits 0; the reaper waits for each in exit order, but prints the status
it was asked to expect (i % 256), not the one wait returned."""
import os
import sys
import time

delays = [int(a) for a in sys.argv[1:]]
expected = {}
for i, ms in enumerate(delays, start=1):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(0)
    expected[pid] = i % 256
for _ in delays:
    pid, status = os.wait()          # collected, then ignored
    print(f"reaped {pid} status {expected[pid]}", flush=True)
