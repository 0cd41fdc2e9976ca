"""Fork children that exit at once and don't reap them, until fork fails; then reap them all.

Each child becomes a zombie, and a zombie keeps its PID (and its charge in the pids cgroup)
until its parent reaps it, so the zombies use up every free PID and fork fails with EAGAIN.
"""
import errno
import os

children = []
while True:
    try:
        pid = os.fork()
    except OSError as exc:   # BlockingIOError, EAGAIN: no PID is free
        print(f"fork failed after {len(children)} children: {errno.errorcode[exc.errno]}", flush=True)
        break
    if pid == 0:
        os._exit(0)
    children.append(pid)

for pid in children:
    os.waitpid(pid, 0)
print(f"reaped {len(children)}", flush=True)
