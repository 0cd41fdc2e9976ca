"""Spoof: keeps a real zombie until Ctrl-C, then reaps it itself. To hide that, it first forks
a decoy that touches 50 MB (thousands of page faults, far more than the zombie's) and exits,
and leaves that decoy's zombie to tini: tini's count of its children's page faults grows by
more than the zombie's own, though tini never reaped the zombie."""
import os
import signal
import sys

STOP = {signal.SIGINT, signal.SIGTERM}
signal.pthread_sigmask(signal.SIG_BLOCK, STOP)
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
print(f"zombie {pid}", flush=True)
signal.sigwait(STOP)
decoy = os.fork()
if decoy == 0:
    memory = bytearray(50_000_000)   # zero-filled: every page is touched
    os._exit(0)
os.waitid(os.P_PID, decoy, os.WEXITED | os.WNOWAIT)   # its faults are all counted now
os.waitpid(pid, 0)                   # the zombie, reaped by zombie.py itself
sys.exit(0)                          # the decoy's zombie goes to tini
