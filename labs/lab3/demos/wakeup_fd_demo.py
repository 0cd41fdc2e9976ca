"""Wait for input AND for child exits in one select(): the self-pipe trick.

    python3 /lab/demos/wakeup_fd_demo.py 3000 1000 2000
    python3 /lab/demos/wakeup_fd_demo.py --self-pipe 3000 1000 2000

Starts one child per argument (it sleeps that many ms), then sits in select() watching stdin
and a pipe. Type lines and they are echoed; children are reaped the moment they exit, whether
you type or not. Ctrl-D (end of input) stops the reading; the demo ends at the last exit.

select() can only watch file descriptors, and a child's exit is a signal, not a descriptor.
The bridge: on SIGCHLD, write a byte to a pipe that select() watches.
  default      signal.set_wakeup_fd(w): Python's own C-level handler writes the byte.
  --self-pipe  our Python handler writes it with os.write (a single syscall: safe in a handler).
"""
import argparse
import os
import select
import signal
import sys
import time

# run: (sleep 1; echo hello) | python3 /lab/demos/wakeup_fd_demo.py 200 1800 2200
# shows: (?s)reaped \d+, exit code 0.*you typed b'hello\\n'.*reaped \d+, exit code 0.*reaped \d+, exit code 0.*^done
# run: (sleep 1; echo hello) | python3 /lab/demos/wakeup_fd_demo.py --self-pipe 200 1800 2200
# shows: (?s)reaped \d+, exit code 0.*you typed b'hello\\n'.*reaped \d+, exit code 0.*reaped \d+, exit code 0.*^done


def start_child(ms):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(0)
    return pid


def make_wakeup_pipe(self_pipe):
    r, w = os.pipe()
    # Non-blocking: a handler must never block on a full pipe, and draining stops at "empty".
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    if self_pipe:
        def on_sigchld(signum, frame):
            try:
                os.write(w, b"x")
            except BlockingIOError:
                pass  # pipe full: a wakeup is already waiting, one is enough
        signal.signal(signal.SIGCHLD, on_sigchld)
    else:
        # A Python handler must be installed, or SIGCHLD keeps its default action (ignore)
        # and the wakeup byte is never written. The handler itself has nothing to do.
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    return r


def drain(fd):
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def reap_exited(children, t0):
    # One wakeup may stand for many exits (signals coalesce), so loop until none is left.
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        print(f"[{time.monotonic() - t0:6.3f} s] reaped {pid}, exit code "
              f"{os.waitstatus_to_exitcode(status)}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--self-pipe", action="store_true", help="write the wakeup byte from our own handler")
    ap.add_argument("ms", type=int, nargs="*", default=[3000, 1000, 2000])
    args = ap.parse_args()

    wakeup = make_wakeup_pipe(args.self_pipe)  # before forking: no exit can slip by unseen
    t0 = time.monotonic()
    children = {start_child(ms) for ms in args.ms}
    print(f"started {sorted(children)}; type something (Ctrl-D ends the input)", flush=True)

    stdin = sys.stdin.fileno()
    watched = [stdin, wakeup]
    while children:
        readable, _, _ = select.select(watched, [], [])
        if wakeup in readable:
            drain(wakeup)
            reap_exited(children, t0)
        if stdin in readable:
            data = os.read(stdin, 4096)  # raw read: no hidden buffer that select() can't see
            if not data:
                print(f"[{time.monotonic() - t0:6.3f} s] end of input; waiting for the children left", flush=True)
                watched.remove(stdin)  # at EOF stdin stays readable forever
                continue
            print(f"[{time.monotonic() - t0:6.3f} s] you typed {data!r}", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
