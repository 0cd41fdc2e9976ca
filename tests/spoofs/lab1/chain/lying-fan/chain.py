"""Spoof: the first process forks every link itself (a fan, not a chain), and each child claims
the previous link as its parent. The children linger, so the probe sees who their parent is."""
import os
import sys
import time

depth = int(sys.argv[1])
me = os.getpid()
print(f"depth 1 pid {me} parent {os.getppid()}", flush=True)
previous = me
for d in range(2, depth + 1):
    pid = os.fork()
    if pid == 0:
        print(f"depth {d} pid {os.getpid()} parent {previous}", flush=True)
        time.sleep(0.3)
        os._exit(0)
    previous = pid
for _ in range(depth - 1):
    os.wait()
print(f"chain status {depth - 1}", flush=True)
