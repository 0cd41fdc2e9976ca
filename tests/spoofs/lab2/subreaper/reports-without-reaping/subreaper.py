"""Spoof: a real subreaper and a real family, but it never waits: it prints the reaped lines
from what it knows (the grandchild's PID comes over a pipe) and leaves both zombies behind."""
import ctypes
import os
import time

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
me = os.getpid()
r, w = os.pipe()
child = os.fork()
if child == 0:
    middle = os.getpid()
    grandchild = os.fork()
    if grandchild == 0:
        while os.getppid() == middle:
            time.sleep(0.01)
        print(f"adopted {os.getpid()} by {os.getppid()}", flush=True)
        os._exit(3)
    os.write(w, f"{grandchild}\n".encode())
    os._exit(0)
grandchild = int(os.read(r, 64))
print(f"reaped {child} status 0", flush=True)
while os.path.exists(f"/proc/{grandchild}") and open(f"/proc/{grandchild}/stat").read().split()[2] != "Z":
    time.sleep(0.01)
print(f"reaped {grandchild} status 3", flush=True)
