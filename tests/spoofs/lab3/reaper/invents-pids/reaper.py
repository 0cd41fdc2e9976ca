"""Spoof: sleeps as the children would and prints invented reaped lines in the right order."""
import sys
import time

delays = [int(a) for a in sys.argv[1:]]
start = time.monotonic()
for index in sorted(range(len(delays)), key=lambda i: delays[i]):
    time.sleep(max(0.0, start + delays[index] / 1000 - time.monotonic()))
    print(f"reaped {4000 + index} status {(index + 1) % 256}", flush=True)
