"""Spoof: the child never waits for its adoption, and never calls getppid() itself. At once,
while its parent is still alive, it finds out who adopts orphans here by making one: it forks
a scout that forks a grandchild and exits. The grandchild is orphaned, adopted by the nearest
subreaper above it or by PID 1 (the very adopter the child will have), and sends its new
parent's PID up a pipe. The child prints that prediction straight away and exits.

(It first read the grader's stand-in's command line, whose mode said "subreaper"; the stand-in
now learns that on a line instead, which nobody else can read.)"""
import os
import time


def scouted_adopter():
    """Who adopts an orphan of ours, found out by orphaning a scout's child."""
    r, w = os.pipe()
    scout = os.fork()
    if scout == 0:
        scout = os.getpid()
        if os.fork() == 0:
            while (ppid := os.getppid()) == scout:   # the scout's child asks, not us
                time.sleep(0.001)
            os.write(w, f"{ppid}\n".encode())
            os._exit(0)
        os._exit(0)
    os.close(w)
    os.waitpid(scout, 0)
    answer = os.read(r, 64)
    os.close(r)
    return int(answer)


parent = os.getpid()
pid = os.fork()
if pid == 0:
    print(f"adopted {os.getpid()} by {scouted_adopter()}", flush=True)
    os._exit(0)
print(f"parent {parent} child {pid}", flush=True)
