"""Spoof: never forks; names the next PID as its child and prints the adoption itself."""
import os

me = os.getpid()
print(f"parent {me} child {me + 1}", flush=True)
print(f"adopted {me + 1} by 1", flush=True)
