"""Spoof: the first process forks every "link" itself (a fan, not a chain), and each exits at
once, living well under the probe's 3 ms poll; the parent reaps each the moment it is forked
and prints the depth lines as a chain would, with invented parent links. Each child exits with
the status its depth would pass up, so the chain status printed is the one it collected."""
import os
import sys


def say(line):
    os.write(1, (line + "\n").encode())


total = int(sys.argv[1])
me = os.getpid()
links = [(os.getppid(), me)]
code = 0
for depth in range(2, total + 1):
    pid = os.fork()
    if pid == 0:
        os._exit(total - depth)
    _, status = os.waitpid(pid, 0)
    if depth == 2:
        code = os.waitstatus_to_exitcode(status) + 1
    links.append((links[-1][1], pid))
for depth, (parent, pid) in enumerate(links, start=1):
    say(f"depth {depth} pid {pid} parent {parent}")
say(f"chain status {code}")
