"""Works out how many PIDs are free from pid_max or the pids cgroup, then forks and reaps that
many children one at a time, so the count is right but no two children ever lived together."""
import os

with open("/sys/fs/cgroup/pids/pids.max") as f:
    limit = f.read().strip()
with open("/sys/fs/cgroup/pids/pids.current") as f:
    current = int(f.read())
with open("/proc/sys/kernel/pid_max") as f:
    pid_max = int(f.read())
free = pid_max - 1 - os.getpid() if pid_max < 100000 else int(limit) - current
for _ in range(free):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print(f"fork failed after {free} children: EAGAIN", flush=True)
print(f"reaped {free}", flush=True)
