"""Spoof: no SIGCHLD handler, wakeup fd or pidfd at all. select() on stdin times out every
5 ms, and each time round the loop reaps with waitpid(-1, WNOHANG) until nobody has exited:
every deadline is met, by waking up 200 times a second whether anything happened or not."""
import os
import select
import sys
import time

POLL = 0.005


def reap(children):
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)


def start(ms, code):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(code)
    print(f"started {pid}", flush=True)
    return pid


def serve(children):
    stdin, pending = sys.stdin.fileno(), b""
    while True:
        readable, _, _ = select.select([stdin], [], [], POLL)
        reap(children)
        if not readable:
            continue
        data = os.read(stdin, 65536)
        lines = (pending + data).split(b"\n")
        pending = lines.pop() if data else b""
        for line in lines:
            words = line.split()
            if words == [b"quit"]:
                return
            if len(words) == 3 and words[0] == b"run":
                children.add(start(int(words[1]), int(words[2])))
        if not data:
            return


children = set()
serve(children)
while children:
    pid, status = os.wait()
    children.discard(pid)
    print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)
print("bye", flush=True)
