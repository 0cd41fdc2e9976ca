"""An orphan: the parent dies while its child is still running.

    python3 /lab/demos/orphan_demo.py

Your prompt comes back after one second (the parent has exited), but the child keeps printing:
watch its parent PID change to its adopter. In `make lab3 INIT=tini` the adopter is tini; in
`make lab3` it is your shell, which is PID 1 there. An orphan is alive and well: it is not a zombie.
"""
import os
import time

# The pipe to cat ends only when its last writer, the orphan, has exited: the run waits for it.
# run: python3 /lab/demos/orphan_demo.py | cat
# shows: parent (\d+): started child(?s:.*)my parent is \1 \(python3\)
# shows: parent \d+: bye\n(?s:.*)my parent is 1 \(bash\)
# run tini: python3 /lab/demos/orphan_demo.py | cat
# shows: parent (\d+): started child(?s:.*)my parent is \1 \(python3\)
# shows: parent \d+: bye\n(?s:.*)my parent is 1 \(tini\)


def parent_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):   # it exited before, or while, we read
        return "?"


def child():
    for _ in range(6):
        ppid = os.getppid()
        print(f"  child {os.getpid()}: my parent is {ppid} ({parent_name(ppid)})", flush=True)
        time.sleep(0.5)
    print(f"  child {os.getpid()}: exiting; my adopter will reap me", flush=True)
    os._exit(0)


def main():
    pid = os.fork()
    if pid == 0:
        child()
    print(f"parent {os.getpid()}: started child {pid}; exiting in 1 s without waiting for it", flush=True)
    time.sleep(1)
    print(f"parent {os.getpid()}: bye", flush=True)
    # Exiting without wait(): the child is orphaned, and the kernel reparents it.


if __name__ == "__main__":
    main()
