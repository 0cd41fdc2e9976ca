"""What limits the PIDs here: pid_max of this PID namespace, and the container's pids cgroup.

    python3 /lab/demos/pid_limits.py
"""
import os

with open("/proc/sys/kernel/pid_max") as f:
    pid_max = int(f.read())
with open("/proc/sys/kernel/ns_last_pid") as f:
    last = int(f.read())
with open("/sys/devices/system/cpu/possible") as f:
    cpus = sum(int(b) - int(a) + 1 if b else 1
               for a, _, b in (part.partition("-") for part in f.read().strip().split(",")))
print(f"kernel.pid_max       {pid_max}: PIDs 1 to {pid_max - 1}, then again from 300")
print(f"smallest allowed     max(301, 8 x {cpus} possible CPUs) = {max(301, 8 * cpus)}")
print(f"largest allowed      4194304 (2^22) on 64-bit")
print(f"last PID handed out  {last} (in this PID namespace; I am {os.getpid()})")
try:
    with open("/sys/fs/cgroup/pids/pids.max") as f:
        limit = f.read().strip()
    with open("/sys/fs/cgroup/pids/pids.current") as f:
        current = f.read().strip()
    print(f"pids cgroup          {current} of {limit} in use (docker run --pids-limit)")
except FileNotFoundError:
    print("pids cgroup          none found at /sys/fs/cgroup/pids")
