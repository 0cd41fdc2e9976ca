"""A zombie holds its PID and its charge in the pids cgroup until its parent reaps it.

    python3 /lab/demos/zombie_holds_pid.py
"""
# run: python3 /lab/demos/zombie_holds_pid.py
# shows: ^child \d+ has exited; its state is Z \(zombie\), pids in use (\d+) -> (\d+) \(one more\)$
# shows: ^reaped \d+ \(exit code 7\); /proc/\d+ exists: False, pids in use \d+ \(one less\)$
import os
import sys

# pidspace.py, beside pidns-shell: /opt/zombielab/lab in the lab's shell, ../support in the repository
sys.path += ["/opt/zombielab/lab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")]
from pidspace import pids_cgroup

STATES = {"R": "running", "S": "sleeping", "Z": "zombie"}
CGROUP = pids_cgroup()              # /sys/fs/cgroup/pids (cgroup v1) or /sys/fs/cgroup (v2)
if CGROUP is None:
    sys.exit("no pids cgroup here: run this in the lab's container (make lab5)")


def pids_in_use():
    with open(f"{CGROUP}/pids.current") as f:
        return int(f.read())


def compared(now, before):
    return {1: "one more", 0: "the same", -1: "one less"}.get(now - before, f"{now - before:+d}")


before = pids_in_use()
pid = os.fork()
if pid == 0:
    os._exit(7)
# Wait until the child has exited, without reaping it (WNOWAIT): from here on it is a zombie.
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
with open(f"/proc/{pid}/stat") as f:
    state = f.read().rpartition(")")[2].split()[0]
during = pids_in_use()
print(f"child {pid} has exited; its state is {state} ({STATES.get(state, '?')}), "
      f"pids in use {before} -> {during} ({compared(during, before)})")
_, status = os.waitpid(pid, 0)
after = pids_in_use()
print(f"reaped {pid} (exit code {os.waitstatus_to_exitcode(status)}); "
      f"/proc/{pid} exists: {os.path.exists(f'/proc/{pid}')}, pids in use {after} ({compared(after, during)})")
