"""server.py -- a long-running server that starts children and reaps them as they exit.

Correct, but unusual: no SIGCHLD, no wakeup fd, no select(). The main thread blocks reading
stdin; each child it starts gets a thread of its own, blocked in os.waitpid(pid, 0) for that
one child, which prints the child's reaped line the moment it exits. On quit or end of input
the main thread joins every waiting thread, then says bye.
"""
import argparse
import os
import sys
import threading
import time

printing = threading.Lock()   # one line at a time, whichever thread prints it


def say(line):
    with printing:
        print(line, flush=True)


def reap(pid):
    """A waiting thread: blocks until its own child exits, reaps it and reports it."""
    _, status = os.waitpid(pid, 0)
    say(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}")


def start_child(ms, code):
    pid = os.fork()
    if pid == 0:
        # Only the forking thread is copied into the child; it touches no lock of the others.
        time.sleep(ms / 1000)
        os._exit(code)
    say(f"started {pid}")
    # Started after the started line, so the reaped line can never come before it.
    waiter = threading.Thread(target=reap, args=(pid,))
    waiter.start()
    return waiter


def handle(line, waiters):
    """Run one command line. Returns False when the server should quit."""
    words = line.split()
    if not words:
        return True
    if words == ["quit"]:
        return False
    if words[0] == "run" and len(words) == 3:
        try:
            ms, code = int(words[1]), int(words[2])
        except ValueError:
            ms = code = -1
        if ms >= 0 and 0 <= code <= 255:
            waiters.append(start_child(ms, code))
            return True
    with printing:
        print(f"server: expected `run <ms> <code>` (ms >= 0, 0 <= code <= 255) or `quit`, "
              f"got {line!r}", file=sys.stderr, flush=True)
    return True


def serve(stdin, waiters):
    """Main loop: blocks in read until a line comes; returns on quit or end of input."""
    pending = b""
    while True:
        data = os.read(stdin, 65536)
        lines = (pending + data).split(b"\n")
        pending = lines.pop() if data else b""   # at EOF a last unterminated line counts
        for line in lines:
            if not handle(line.decode(errors="replace"), waiters):
                return
        if not data:
            return


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    waiters = []
    serve(sys.stdin.fileno(), waiters)
    for waiter in waiters:   # each returns once its child has been reaped and reported
        waiter.join()
    say("bye")
    return 0


if __name__ == "__main__":
    sys.exit(main())
