"""server.py -- a long-running server that starts children and reaps them as they exit.

Contract (stdin/stdout, one line per event, each flushed at once):
  run <ms> <code>   fork a child that sleeps <ms> milliseconds and exits with <code>;
                    answer `started <pid>` at once.
  (a child exits)   print `reaped <pid> status <code>` within 100 ms, with no more input needed.
  quit, or EOF      wait for the remaining children (printing their reaped lines), print `bye`,
                    exit 0.

How: one select() watches stdin and a wakeup pipe. On SIGCHLD, Python's C-level signal handler
writes a byte into that pipe (signal.set_wakeup_fd), so a child's exit wakes select() just like
input does. Reaping then happens in the main loop, never inside a signal handler.
"""
import argparse
import os
import select
import signal
import sys
import time


def ignore_signal(signum, frame):
    """SIGCHLD handler: nothing to do here; its only job is to exist (see make_wakeup_pipe)."""


def make_wakeup_pipe():
    r, w = os.pipe()
    # Both ends non-blocking: the C handler must never block writing into a full pipe, and
    # draining the read end must stop when it is empty instead of hanging.
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    # SIGCHLD's default action is "ignore", and a signal with no Python handler never reaches
    # the wakeup fd. Installing a do-nothing handler makes Python catch it (and write the byte).
    # Not SIG_IGN: that would tell the kernel to discard children's statuses altogether.
    signal.signal(signal.SIGCHLD, ignore_signal)
    # A full pipe just means a wakeup is already waiting; no need to warn about dropped bytes.
    signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    return r


def drain(fd):
    # Empty the pipe before reaping: any child that exits after this point writes a fresh byte,
    # so the next select() wakes up for it. Draining after reaping could swallow that byte.
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def start_child(ms, code):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        # os._exit: leave now, without the parent's cleanup and without flushing copies of its
        # buffers; the exit code is all the child has to say.
        os._exit(code)
    print(f"started {pid}", flush=True)
    return pid


def report(pid, status, children):
    children.discard(pid)
    # The raw wait status holds the code in bits 8..15; waitstatus_to_exitcode decodes it
    # (and gives -N for a child killed by signal N).
    print(f"reaped {pid} status {os.waitstatus_to_exitcode(status)}", flush=True)


def reap_exited(children):
    # Signals coalesce: ten exits while SIGCHLD is pending (or while we are stopped) make one
    # delivery. So never "one wait per signal": reap until WNOHANG says nobody else has exited.
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        report(pid, status, children)


def reap_remaining(children):
    # After quit there is nothing else to do, so a blocking wait() is right: it still hands
    # back each child the moment it exits, in exit order.
    while children:
        pid, status = os.wait()
        report(pid, status, children)


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
            children.add(start_child(ms, code))
            return True
    print(f"server: expected `run <ms> <code>` (ms >= 0, 0 <= code <= 255) or `quit`, got {line!r}",
          file=sys.stderr, flush=True)
    return True


def serve(stdin, wakeup, children):
    """Main loop: returns when input says quit or ends."""
    pending = b""
    while True:
        readable, _, _ = select.select([stdin, wakeup], [], [])
        if wakeup in readable:
            drain(wakeup)
            reap_exited(children)
        if stdin in readable:
            # os.read on the descriptor, not sys.stdin: a buffered reader may pull several
            # lines into its private buffer, where select() can no longer see them.
            data = os.read(stdin, 65536)
            lines = (pending + data).split(b"\n")
            pending = lines.pop() if data else b""  # at EOF a last unterminated line counts
            for line in lines:
                if not handle(line.decode(errors="replace"), children):
                    return
            if not data:
                return


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    # The wakeup pipe must exist before the first fork, so no exit can go unnoticed.
    wakeup = make_wakeup_pipe()
    children = set()
    serve(sys.stdin.fileno(), wakeup, children)
    reap_remaining(children)
    print("bye", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
