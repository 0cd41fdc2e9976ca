"""Spoof: never forks; prints its own PID as the zombie's."""
import os
import signal
import sys

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"zombie {os.getpid()}", flush=True)
try:
    while True:
        signal.pause()
except KeyboardInterrupt:
    sys.exit(0)
