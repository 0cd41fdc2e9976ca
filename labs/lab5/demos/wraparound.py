"""PIDs wrap around at pid_max, and start again from 300, not from 1. Run it in a namespace of
your own, where you may set pid_max:

    pidns-shell python3 /lab/demos/wraparound.py
"""
import os

with open("/proc/sys/kernel/pid_max", "w") as f:
    f.write("400")                  # this namespace's own pid_max (Linux 6.14 and newer)
seen = []
for _ in range(500):                # one child at a time, each reaped at once
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    seen.append(pid)
wrap = next(i for i in range(1, len(seen)) if seen[i] < seen[i - 1])
print(f"pid_max 400: children got PIDs {seen[0]}..{seen[wrap - 1]}, then {seen[wrap]}, "
      f"{seen[wrap + 1]}, {seen[wrap + 2]}... (never below 300 again)")
