"""Spoof: the children say nothing and just exit with their position; the parent prints each
child line for them, naming the PID fork returned and its own PID."""
import os
import sys


def say(line):
    os.write(1, (line + "\n").encode())


n = int(sys.argv[1])
for position in range(1, n + 1):
    pid = os.fork()
    if pid == 0:
        os._exit(position)
    say(f"forked {pid}")
    say(f"child {pid} parent {os.getpid()}")
for _ in range(n):
    pid, status = os.wait()
    say(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}")
