"""What limits the PIDs here: pid_max of this PID namespace, the container's pids cgroup, and
RLIMIT_NPROC, the number of processes your user may have.

    python3 /lab/demos/pid_limits.py
"""
# run: python3 /lab/demos/pid_limits.py
# shows: ^kernel.pid_max +\d+: PIDs 1 to \d+, then again from 300$
# shows: ^the kernel's default +max\(32768, 1024 x \d+ possible CPUs\), at most 4194304 = \d+$
# shows: ^smallest allowed +max\(301, 8 x \d+ possible CPUs\) = \d+$
# shows: ^pids cgroup +\d+ of 512 in use \(cgroup v[12]: /sys/fs/cgroup[/a-z]*\)$
# shows: ^RLIMIT_NPROC +(\d+|unlimited) processes of uid 1000 \(ulimit -u\)$
import os
import resource
import sys

# pidspace.py, beside pidns-shell: /opt/zombielab/lab in the lab's shell, ../support in the repository
sys.path += ["/opt/zombielab/lab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")]
from pidspace import (PID_MAX, PID_MAX_LIMIT, PIDS_CGROUPS, default_pid_max, pids_cgroup,
                      possible_cpus, smallest_pid_max)

with open(PID_MAX) as f:
    pid_max = int(f.read())
with open("/proc/sys/kernel/ns_last_pid") as f:
    last = int(f.read())
cpus = possible_cpus()
print(f"kernel.pid_max       {pid_max}: PIDs 1 to {pid_max - 1}, then again from 300")
print(f"the kernel's default max(32768, 1024 x {cpus} possible CPUs), at most {PID_MAX_LIMIT} "
      f"= {default_pid_max()}")
print(f"smallest allowed     max(301, 8 x {cpus} possible CPUs) = {smallest_pid_max()}")
print(f"largest allowed      {PID_MAX_LIMIT} (2^22) on 64-bit")
print(f"last PID handed out  {last} (in this PID namespace; I am {os.getpid()})")
cgroup = pids_cgroup()
if cgroup:
    with open(f"{cgroup}/pids.max") as f:
        limit = f.read().strip()
    with open(f"{cgroup}/pids.current") as f:
        current = f.read().strip()
    print(f"pids cgroup          {current} of {limit} in use ({PIDS_CGROUPS[cgroup]}: {cgroup})")
else:
    print(f"pids cgroup          none: no pids.max in {' or '.join(PIDS_CGROUPS)}")
soft = resource.getrlimit(resource.RLIMIT_NPROC)[0]
print(f"RLIMIT_NPROC         {'unlimited' if soft == resource.RLIM_INFINITY else soft} "
      f"processes of uid {os.getuid()} (ulimit -u)")
