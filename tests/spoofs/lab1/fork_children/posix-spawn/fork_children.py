"""Spoof: never forks. Each "child" is a new program, python3 -c, started with os.posix_spawn
(which execs); it prints its own child line and exits with its position, and the parent waits
for each one properly."""
import os
import sys

CHILD = ("import os\n"
         "os.write(1, f'child {os.getpid()} parent {os.getppid()}\\n'.encode())\n"
         "os._exit({position})\n")


def say(line):
    os.write(1, (line + "\n").encode())


n = int(sys.argv[1])
for position in range(1, n + 1):
    code = CHILD.replace("{position}", str(position))
    pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ)
    say(f"forked {pid}")
for _ in range(n):
    pid, status = os.wait()
    say(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}")
