"""A nested PID namespace cannot have more PIDs than its ancestors, whatever its own pid_max:
every new process takes a PID in each namespace from its own up to the container's.

    pidns-shell python3 /lab/demos/nested_limit.py

It sets this namespace's pid_max 100 above the smallest the kernel allows (401 on a machine
with up to 37 CPUs), makes a namespace inside it with pid_max 4194304, and forks there until
EAGAIN: the outer namespace runs out of PIDs long before the nested one.
"""
# run: pidns-shell python3 /lab/demos/nested_limit.py
# shows: ^outer namespace: pid_max \d+$
# shows: ^nested namespace: pid_max 4194304, but fork failed with EAGAIN after \d+ children$
# shows: ^outer namespace: it handed out every PID up to \d+ = pid_max - 1$
import os
import subprocess
import sys

# pidspace.py, beside pidns-shell: /opt/zombielab/lab in the lab's shell, ../support in the repository
sys.path += ["/opt/zombielab/lab", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")]
from pidspace import (PID_MAX_LIMIT, forks_refused_by_pids_limit, set_own_pid_max, smallest_pid_max,
                      zombies_until_eagain)


def outer():
    pid_max = smallest_pid_max() + 100
    set_own_pid_max(pid_max)
    print(f"outer namespace: pid_max {pid_max}", flush=True)
    refused_before = forks_refused_by_pids_limit()
    # A PID namespace inside this one, with its own /proc (we are root in our user namespace),
    # where this same program runs nested().
    subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, __file__, "--nested"],
                   check=True)
    # The outer namespace's PIDs went up without a gap to its pid_max: that is where fork failed.
    with open("/proc/sys/kernel/ns_last_pid") as f:
        last = int(f.read())
    if last == pid_max - 1:
        print(f"outer namespace: it handed out every PID up to {last} = pid_max - 1")
    elif forks_refused_by_pids_limit() > refused_before:
        # On a machine with many CPUs the smallest pid_max is above the container's pids limit.
        print(f"outer namespace: it handed out PIDs up to {last} only: the container's pids limit "
              "ran out first")
    else:
        print(f"outer namespace: it handed out PIDs up to {last} only, below pid_max - 1")


def nested():
    set_own_pid_max(PID_MAX_LIMIT)     # the nested namespace asks for the most
    held = zombies_until_eagain()      # each zombie holds its PID here and in the outer namespace
    print(f"nested namespace: pid_max {PID_MAX_LIMIT}, but fork failed with EAGAIN after {len(held)} children")
    for pid in held:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    if sys.argv[1:] == ["--nested"]:
        nested()
    else:
        outer()
