"""PIDs wrap around at pid_max, and start again from 300, not from 1. Run it in a namespace of
your own, where you may set pid_max:

    pidns-shell python3 /lab/demos/wraparound.py

It sets the namespace's pid_max 100 above the smallest the kernel allows on this machine
(max(301, 8 x possible CPUs), so 401 on a machine with up to 37 CPUs), then forks one child at a time, reaping each at
once, until the PIDs have gone round.
"""
# run: pidns-shell python3 /lab/demos/wraparound.py
# shows: ^pid_max \d+: children got PIDs 2\.\.\d+, then 300, 301, 302\.\.\.$
# shows: ^after the wrap-around, the lowest PID handed out was 300$
import os
import sys

# pidspace.py, beside pidns-shell: /opt/zombielab/lab in the lab's shell, ../support in the repository
sys.path += ["/opt/zombielab/lab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")]
from pidspace import set_own_pid_max, smallest_pid_max

pid_max = smallest_pid_max() + 100
set_own_pid_max(pid_max)            # this namespace's own (Linux 6.14 and newer)
seen = []
for _ in range(pid_max + 10):       # one child at a time, each reaped at once
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    seen.append(pid)
wrap = next(i for i in range(1, len(seen)) if seen[i] < seen[i - 1])
print(f"pid_max {pid_max}: children got PIDs {seen[0]}..{seen[wrap - 1]}, "
      f"then {seen[wrap]}, {seen[wrap + 1]}, {seen[wrap + 2]}...")
print(f"after the wrap-around, the lowest PID handed out was {min(seen[wrap:])}")
