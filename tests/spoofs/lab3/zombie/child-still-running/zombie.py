"""Spoof: the child it names is alive and asleep, not a zombie."""
import os
import signal
import sys
import time

pid = os.fork()
if pid == 0:
    time.sleep(3600)
    os._exit(0)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"zombie {pid}", flush=True)
try:
    while True:
        signal.pause()
except KeyboardInterrupt:
    sys.exit(0)
