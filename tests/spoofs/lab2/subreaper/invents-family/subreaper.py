"""Spoof: forks nothing; invents a child and a grandchild and their whole story."""
import os

me = os.getpid()
child, grandchild = me + 1, me + 2
print(f"adopted {grandchild} by {me}", flush=True)
print(f"reaped {child} status 0", flush=True)
print(f"reaped {grandchild} status 3", flush=True)
