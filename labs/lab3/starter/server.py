"""server.py -- a long-running server that starts children and reaps them as they exit.

Contract (stdin/stdout, one line per event, each flushed at once):
  run <ms> <code>   fork a child that sleeps <ms> milliseconds and exits with <code>;
                    answer `started <pid>` at once (within 100 ms, even while 50 children run).
  (a child exits)   print `reaped <pid> status <code>` within 100 ms, WITHOUT waiting for more
                    input.
  quit, or EOF      wait for the remaining children (printing their reaped lines), print `bye`,
                    exit 0.

Rules of the game:
  - Never print from inside a signal handler (print is not reentrant).
  - Signals coalesce: one SIGCHLD may stand for many exits. Reap in a loop.
  - Children must really be your zombies until you wait for them: no SIG_IGN for SIGCHLD.
  - The grader stops the server (SIGSTOP), lets 10 children exit, and continues it (SIGCONT):
    all 10 must be reaped within 100 ms.
"""
import argparse
import os
import select
import signal
import sys
import time


def start_child(ms, code):
    """Fork a child that sleeps `ms` ms and exits with `code`; print `started <pid>`."""
    # TODO: fork; the child sleeps then os._exit(code); the parent prints the started line.
    return None


def reap_exited(children):
    """Reap every child that has already exited, without blocking; print a reaped line each."""
    # TODO: os.waitpid(-1, os.WNOHANG) in a loop, until it reports nobody.


def reap_remaining(children):
    """After quit: wait for all remaining children, printing their reaped lines."""
    # TODO


def handle(line, children):
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
            pid = start_child(ms, code)
            if pid is not None:
                children.add(pid)
            return True
    print(f"server: expected `run <ms> <code>` or `quit`, got {line!r}", file=sys.stderr, flush=True)
    return True


def serve(stdin, children):
    """Main loop: returns when input says quit or ends."""
    pending = b""
    while True:
        # TODO: this blocks until input arrives, so a child that exits while nobody types is
        # never noticed. Wait on stdin AND on a child-exit notification at the same time:
        # select() over stdin plus a wakeup pipe (signal.set_wakeup_fd or a self-pipe), or
        # pidfds. Keep os.read on the descriptor: sys.stdin's buffer hides lines from select().
        data = os.read(stdin, 65536)
        lines = (pending + data).split(b"\n")
        pending = lines.pop() if data else b""
        for line in lines:
            if not handle(line.decode(errors="replace"), children):
                return
        if not data:
            return


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    children = set()
    serve(sys.stdin.fileno(), children)
    reap_remaining(children)
    print("bye", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
