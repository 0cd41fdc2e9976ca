"""Spoof: sets SIGCHLD to SIG_IGN, so the kernel discards each child as it exits, and never
waits. A pidfd per child turns readable when that child is gone, and the spoof then prints the
reaped line it expects for it, in exit order."""
import os
import select
import signal
import sys
import time

delays = [int(a) for a in sys.argv[1:]]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
expect = {}                          # pidfd -> (pid, the status it was asked to expect)
for i, ms in enumerate(delays, start=1):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(i % 256)
    expect[os.pidfd_open(pid)] = (pid, i % 256)
while expect:
    ready, _, _ = select.select(list(expect), [], [])
    for fd in ready:
        pid, code = expect.pop(fd)
        os.close(fd)
        print(f"reaped {pid} status {code}", flush=True)
