"""A nested PID namespace cannot have more PIDs than its ancestors, whatever its own pid_max:
every new process takes a PID in each namespace from its own up to the container's.

    pidns-shell python3 /lab/demos/nested_limit.py
"""
import os
import subprocess
import sys

CHILD = """
import os
with open("/proc/sys/kernel/pid_max", "w") as f:
    f.write("4194304")          # the nested namespace asks for the most
held = []
try:
    while True:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        held.append(pid)        # not reaped: each zombie holds its PID
except BlockingIOError:
    pass
print(f"nested namespace: pid_max 4194304, but fork failed with EAGAIN after {len(held)} children")
for pid in held:
    os.waitpid(pid, 0)
"""

with open("/proc/sys/kernel/pid_max", "w") as f:
    f.write("400")
print("outer namespace: pid_max 400")
sys.stdout.flush()
# A PID namespace inside this one, with its own /proc (we are root in our user namespace).
subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "python3", "-c", CHILD], check=True)
