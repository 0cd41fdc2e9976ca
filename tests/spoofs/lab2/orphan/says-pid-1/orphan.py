"""Spoof: a real child, which announces its adoption by PID 1 at once, without looking."""
import os

pid = os.fork()
if pid == 0:
    print(f"adopted {os.getpid()} by 1", flush=True)   # "orphans always go to init"
    os._exit(0)
print(f"parent {os.getpid()} child {pid}", flush=True)
