"""Who adopts an orphan: PID 1 of the PID namespace (or the nearest subreaper, section 4).

    python3 /lab/demos/adoption_demo.py          # in `make lab2`, and again in `make lab2 INIT=tini`

The parent exits; the child watches getppid() and says who its new parent is, and what
program that is (from /proc/<ppid>/comm). In `make lab2` PID 1 is your bash; under tini it is
tini. Either way it is PID 1 of the container, not of the machine: a container is a PID
namespace, and an orphan never leaves its namespace.

The child speaks after its parent's exit, so after your prompt is back. Add `| cat` to have the
shell wait for it too: cat reads until every process holding the pipe, the orphan included, has
closed it.
"""
import os
import time

# run: python3 /lab/demos/adoption_demo.py | cat
# shows: ^PID 1 of this container is bash$
# shows: (?s)^  child (\d+): parent is (\d+) \(python3\).*^  child \1: adopted by 1 \(bash\)$
# run tini: python3 /lab/demos/adoption_demo.py | cat
# shows: ^PID 1 of this container is tini$
# shows: ^  child \d+: adopted by 1 \(tini\)$


def command_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):   # it exited before, or while, we read
        return "?"


def main():
    with open("/proc/1/comm") as f:
        print(f"PID 1 of this container is {f.read().strip()}", flush=True)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        print(f"  child {os.getpid()}: parent is {parent} ({command_of(parent)})", flush=True)
        while (ppid := os.getppid()) == parent:
            time.sleep(0.01)
        print(f"  child {os.getpid()}: adopted by {ppid} ({command_of(ppid)})", flush=True)
        os._exit(0)
    time.sleep(0.5)
    print(f"parent {parent}: exiting without waiting for {pid}", flush=True)


if __name__ == "__main__":
    main()
