"""SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT: no zombies, and no exit statuses either.

    python3 /lab/demos/sigign_demo.py
    python3 /lab/demos/sigign_demo.py --nocldwait

On Linux (and POSIX since 2001), explicitly ignoring SIGCHLD tells the kernel "I will never wait":
children are freed the moment they exit, so they never become zombies. The price: there is
nothing left to wait for, so the exit codes are gone; wait() blocks until every child is gone,
then fails with ECHILD.

--nocldwait says the same with a flag instead: a SIGCHLD handler installed with sigaction's
SA_NOCLDWAIT. The children are freed just the same, but SIGCHLD is still delivered, so the
handler runs. Python's signal module has no way to pass the flag, so the demo adds it to the
action Python installed, with the C library's sigaction().
"""
import argparse
import ctypes
import os
import signal

# run: python3 /lab/demos/sigign_demo.py
# shows: os\.wait\(\) blocked until all 3 children had gone, then: \[Errno 10\] No child processes
# shows: ^child \d+ \(exit code 3\): in /proc\? False$
# shows: ^child \d+ \(exit code 5\): in /proc\? False$
# shows: with SIG_DFL again: reaped \d+, exit code 6
# hides: SIGCHLD handler ran
# run: python3 /lab/demos/sigign_demo.py --nocldwait
# shows: os\.wait\(\) blocked until all 3 children had gone, then: \[Errno 10\] No child processes
# shows: ^child \d+ \(exit code 4\): in /proc\? False$
# shows: the SIGCHLD handler ran [1-9]\d* times?, yet no child was left to reap
# shows: with SIG_DFL again: reaped \d+, exit code 6

SA_NOCLDWAIT = 2  # from <signal.h> on Linux


class Sigaction(ctypes.Structure):
    """glibc's struct sigaction on 64-bit Linux (x86-64, arm64)."""
    _fields_ = [("handler", ctypes.c_void_p),
                ("mask", ctypes.c_ulong * 16),    # sigset_t: 1024 bits
                ("flags", ctypes.c_int),
                ("restorer", ctypes.c_void_p)]


def add_sigaction_flag(signum, flag):
    """Add `flag` to the action installed for `signum`, keeping its handler and mask."""
    libc = ctypes.CDLL(None, use_errno=True)
    action = Sigaction()
    if libc.sigaction(signum, None, ctypes.byref(action)) != 0:
        raise OSError(ctypes.get_errno(), "sigaction")
    action.flags |= flag
    if libc.sigaction(signum, ctypes.byref(action), None) != 0:
        raise OSError(ctypes.get_errno(), "sigaction")


handler_runs = 0


def count_sigchld(signum, frame):
    global handler_runs
    handler_runs += 1


def fork_exiting(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    return pid


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nocldwait", action="store_true", help="a SIGCHLD handler with SA_NOCLDWAIT, not SIG_IGN")
    args = ap.parse_args()
    if args.nocldwait:
        signal.signal(signal.SIGCHLD, count_sigchld)
        add_sigaction_flag(signal.SIGCHLD, SA_NOCLDWAIT)
    else:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    codes = {fork_exiting(code): code for code in (3, 4, 5)}
    try:
        os.wait()
    except ChildProcessError as e:
        print(f"os.wait() blocked until all 3 children had gone, then: {e} -- "
              f"the exit codes 3, 4, 5 are lost", flush=True)
    for pid, code in codes.items():
        print(f"child {pid} (exit code {code}): in /proc? {os.path.exists(f'/proc/{pid}')}", flush=True)
    if args.nocldwait:
        print(f"the SIGCHLD handler ran {handler_runs} time{'s' * (handler_runs != 1)}, "
              f"yet no child was left to reap", flush=True)

    # Back to the default disposition: children become zombies again until waited for.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = fork_exiting(6)
    _, status = os.waitpid(pid, 0)
    print(f"with SIG_DFL again: reaped {pid}, exit code {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
