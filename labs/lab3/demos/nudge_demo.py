"""kill -CHLD <parent>: a nudge that helps a parent that reaps on SIGCHLD, and no other.

    python3 /lab/demos/nudge_demo.py &                 # a zombie whose SIGCHLD came too early
    kill -CHLD %1; sleep 0.2; ps -o pid,ppid,stat,cmd  # the nudge: its handler ran and reaped
    kill %1
    python3 /lab/demos/nudge_demo.py --no-handler &    # a parent with no SIGCHLD handler
    kill -CHLD %1; sleep 0.2; ps -o pid,ppid,stat,cmd  # nothing happened: the zombie stays
    kill %1

The child exits before its parent has installed a SIGCHLD handler. SIGCHLD's default action is
to ignore it, so the kernel throws that signal away, and the parent, which reaps only when
SIGCHLD arrives, never hears of the zombie. Sending it a SIGCHLD yourself runs the handler, which
reaps every child that has exited. A parent with no handler ignores the nudge as it ignored the
real one: killing the zombie's parent is then the only remedy from outside.
"""
import argparse
import os
import signal
import time

# run: python3 /lab/demos/nudge_demo.py --seconds 3 & sleep 1; kill -CHLD %1; wait
# shows: child (\d+) exited before my SIGCHLD handler existed
# shows: after 3 s: my SIGCHLD handler reaped (\d+), exit code 7, on the SIGCHLD that came \d\.\d s in
# hides: is still a zombie
# run: python3 /lab/demos/nudge_demo.py --no-handler --seconds 3 & sleep 1; kill -CHLD %1; wait
# shows: after 3 s: child \d+ is still a zombie \(State: Z \(zombie\)\)
# hides: reaped

reaped = []  # (pid, exit code, seconds since start), filled by the handler, printed by main


def reap_exited(t0):
    """Reap every child that has exited; a SIGCHLD handler may call waitpid (it is a syscall)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        reaped.append((pid, os.waitstatus_to_exitcode(status), time.monotonic() - t0))


def state_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(line.split(":", 1)[1].strip() for line in f if line.startswith("State:"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-handler", action="store_true", help="never install a SIGCHLD handler")
    ap.add_argument("--seconds", type=float, default=60, help="how long to wait for a nudge (default 60)")
    args = ap.parse_args()
    t0 = time.monotonic()
    me = os.getpid()

    pid = os.fork()
    if pid == 0:
        os._exit(7)
    # Its SIGCHLD has been sent (and discarded) once waitid reports the exit.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    if args.no_handler:
        print(f"parent {me}: child {pid} is my zombie, and I have no SIGCHLD handler: "
              f"kill -CHLD {me} changes nothing", flush=True)
    else:
        signal.signal(signal.SIGCHLD, lambda signum, frame: reap_exited(t0))
        print(f"parent {me}: child {pid} exited before my SIGCHLD handler existed, so its "
              f"SIGCHLD was discarded; nudge me: kill -CHLD {me}", flush=True)

    # Python runs the handler during the sleep, then sleeps on for the time left (PEP 475).
    time.sleep(args.seconds)
    if reaped:
        for child, code, when in reaped:
            print(f"parent {me}: after {args.seconds:g} s: my SIGCHLD handler reaped {child}, "
                  f"exit code {code}, on the SIGCHLD that came {when:.1f} s in", flush=True)
    else:
        print(f"parent {me}: after {args.seconds:g} s: child {pid} is still a zombie "
              f"(State: {state_of(pid)}); I exit, and my adopter reaps it", flush=True)


if __name__ == "__main__":
    main()
