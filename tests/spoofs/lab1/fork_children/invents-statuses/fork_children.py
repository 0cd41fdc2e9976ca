"""Spoof: real children, all exiting 0; the parent reaps each one but prints, as its status,
the fork position it was supposed to see."""
import os
import sys


def say(line):
    os.write(1, (line + "\n").encode())


n = int(sys.argv[1])
position = {}
for i in range(1, n + 1):
    pid = os.fork()
    if pid == 0:
        say(f"child {os.getpid()} parent {os.getppid()}")
        os._exit(0)
    say(f"forked {pid}")
    position[pid] = i
for _ in range(n):
    pid, status = os.wait()          # collected, then ignored
    say(f"reaped {pid} status {position[pid]}")
