"""Spoof: a real chain, each link waiting for its child, but every link exits 0 and passes
nothing up; the first prints the status it was supposed to receive, D - 1, from its argument."""
import os
import sys


def say(line):
    os.write(1, (line + "\n").encode())


total = int(sys.argv[1])
depth = 1
while True:
    say(f"depth {depth} pid {os.getpid()} parent {os.getppid()}")
    if depth == total:
        os._exit(0)
    pid = os.fork()
    if pid != 0:
        break
    depth += 1
os.waitpid(pid, 0)                   # reaped, status thrown away
if depth == 1:
    say(f"chain status {total - 1}")
    sys.exit(0)
os._exit(0)
