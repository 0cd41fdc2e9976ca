"""Ten children exit, one SIGCHLD is delivered.

    python3 /lab/demos/sigchld_coalesce.py

SIGCHLD is blocked while ten children exit, as if the parent were busy or stopped. A standard
signal is a single pending bit, not a counter: ten exits set the same bit, and unblocking
delivers it once. One waitpid per signal then reaps one child and strands nine zombies;
reaping in a loop until WNOHANG finds nothing more gets them all.
"""
import os
import signal

# run: python3 /lab/demos/sigchld_coalesce.py
# shows: 10 children exited while SIGCHLD was blocked; zombies now: 10
# shows: pending signals: \['SIGCHLD'\]
# shows: the SIGCHLD handler ran 1 time
# shows: one waitpid per signal reaped 1; zombies left: 9
# shows: a WNOHANG loop reaped 9 more; zombies left: 0

handler_calls = 0


def on_sigchld(signum, frame):
    # Only count. Printing from a handler can interrupt a print already in progress in the
    # main code and fail with "RuntimeError: reentrant call".
    global handler_calls
    handler_calls += 1


def zombie_count(pids):
    n = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue  # reaped: the PID is gone from the process table
        n += state == "Z"
    return n


def reap_one():
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return 0
    return 1 if pid else 0


def reap_all():
    n = 0
    while reap_one():  # WNOHANG returns (0, 0) when no exited child is left, instead of blocking
        n += 1
    return n


def main():
    signal.signal(signal.SIGCHLD, on_sigchld)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})

    pids = []
    for _ in range(10):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # dead, not reaped
    print(f"10 children exited while SIGCHLD was blocked; zombies now: {zombie_count(pids)}")
    print(f"pending signals: {sorted(s.name for s in signal.sigpending())}")

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    print(f"after unblocking, the SIGCHLD handler ran {handler_calls} time(s)")

    reaped = sum(reap_one() for _ in range(handler_calls))
    print(f"one waitpid per signal reaped {reaped}; zombies left: {zombie_count(pids)}")

    reaped = reap_all()
    print(f"a WNOHANG loop reaped {reaped} more; zombies left: {zombie_count(pids)}")


if __name__ == "__main__":
    main()
