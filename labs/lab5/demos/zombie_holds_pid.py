"""A zombie holds its PID and its charge in the pids cgroup until its parent reaps it.

    python3 /lab/demos/zombie_holds_pid.py
"""
import os
import time


def pids_in_use():
    with open("/sys/fs/cgroup/pids/pids.current") as f:
        return int(f.read())


before = pids_in_use()
pid = os.fork()
if pid == 0:
    os._exit(7)
time.sleep(0.2)                     # the child has exited by now
with open(f"/proc/{pid}/stat") as f:
    state = f.read().rpartition(")")[2].split()[0]
print(f"child {pid} has exited; its state is {state} (zombie), "
      f"pids in use {before} -> {pids_in_use()}")
_, status = os.waitpid(pid, 0)
print(f"reaped {pid} (exit code {os.waitstatus_to_exitcode(status)}); "
      f"/proc/{pid} exists: {os.path.exists(f'/proc/{pid}')}, pids in use {pids_in_use()}")
