"""A third limit that makes fork fail with EAGAIN: RLIMIT_NPROC (`ulimit -u`), the number of
processes your user ID may have, zombies included, while pid_max and the pids cgroup have
plenty of room.

    pidns-shell python3 /lab/demos/nproc_limit.py

The kernel counts a user's processes per user namespace. Outside pidns-shell that is every
process of uid 1000 on the machine, in every container that runs as uid 1000, so a small limit
may be used up before you fork at all. pidns-shell's fresh user namespace counts only its own:
pidns-shell itself, python3 and python3's children.
"""
# run: pidns-shell python3 /lab/demos/nproc_limit.py
# shows: ^RLIMIT_NPROC 8: fork failed with EAGAIN after [1-7] children$
# shows: ^meanwhile: \d+ of \d+ PIDs of pid_max in use, pids cgroup \d+ of 512: room in both$
# shows: ^reaped them; with RLIMIT_NPROC back to (\d+|unlimited), fork works again$
import os
import resource
import sys

# pidspace.py, beside pidns-shell: /opt/zombielab/lab in the lab's shell, ../support in the repository
sys.path += ["/opt/zombielab/lab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")]
from pidspace import PID_MAX, pids_cgroup, zombies_until_eagain

LIMIT = 8


def read(path):
    with open(path) as f:
        return f.read().strip()


soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
resource.setrlimit(resource.RLIMIT_NPROC, (LIMIT, hard))    # what `ulimit -u 8` does
held = zombies_until_eagain()       # a zombie still counts against RLIMIT_NPROC
print(f"RLIMIT_NPROC {LIMIT}: fork failed with EAGAIN after {len(held)} children")
in_use = len([name for name in os.listdir("/proc") if name.isdigit()])
cgroup = pids_cgroup()
in_cgroup = (f"pids cgroup {read(f'{cgroup}/pids.current')} of {read(f'{cgroup}/pids.max')}"
             if cgroup else "no pids cgroup")
print(f"meanwhile: {in_use} of {read(PID_MAX)} PIDs of pid_max in use, {in_cgroup}: room in both")
for pid in held:
    os.waitpid(pid, 0)
resource.setrlimit(resource.RLIMIT_NPROC, (soft, hard))
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
print(f"reaped them; with RLIMIT_NPROC back to "
      f"{'unlimited' if soft == resource.RLIM_INFINITY else soft}, fork works again")
