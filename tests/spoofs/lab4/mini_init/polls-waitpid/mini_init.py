"""Spoof: a mini init that polls. It is the reference in every way but one: SIGCHLD is never
taken (it stays blocked and pending), and the main loop wakes every 50 ms, whatever happens,
to forward the signals that came meanwhile and reap with waitpid(-1, WNOHANG). Twenty wakeups
a second cost well under 5% of a CPU, and every zombie is reaped within 50 ms."""
import argparse
import ctypes
import errno
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36   # from <linux/prctl.h>

# What the kernel sends a process about its own faults (a bad address, a bad instruction, an
# abort): they are about the init itself and keep their default action, as in tini.
SYNCHRONOUS = {signal.SIGFPE, signal.SIGILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT,
               signal.SIGTRAP, signal.SIGSYS}
# What a terminal sends a background process that reads it or changes its settings, to stop
# it. The init ignores them, so that it can never be stopped that way (see isolate_child).
TTY_STOPS = {signal.SIGTTIN, signal.SIGTTOU}
# Everything else is taken by the main loop: SIGCHLD means "reap", every other one is
# forwarded. SIGKILL and SIGSTOP can be neither blocked nor caught.
COLLECTED = signal.valid_signals() - SYNCHRONOUS - TTY_STOPS - {signal.SIGKILL, signal.SIGSTOP}
# Dispositions CMD must not inherit: Python ignores SIGPIPE and SIGXFSZ at start-up, we ignore
# the terminal's stops, and exec keeps SIG_IGN (it resets only handlers).
RESET_IN_CHILD = {signal.SIGPIPE, signal.SIGXFSZ} | TTY_STOPS

# Taken by the main loop and forwarded: SIGCHLD is not among them, reaping is polled instead.
FORWARDED = COLLECTED - {signal.SIGCHLD}
POLL_SECONDS = 0.05

EXIT_NOT_FOUND = 127          # the shell's codes, which tini uses too
EXIT_NOT_EXECUTABLE = 126


def parse_args():
    ap = argparse.ArgumentParser(prog="mini_init.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("-s", "--subreaper", action="store_true",
                    help="register as a child subreaper (for when this is not PID 1)")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="CMD [ARG...]")
    args = ap.parse_args()
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        ap.error("no command to run")
    return args


def register_subreaper():
    # Orphans go to the nearest ancestor that is a child subreaper, before PID 1: this is how
    # an init that is not PID 1 (under docker exec, say) still inherits its command's orphans.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def configure_signals():
    """Block what the main loop collects and ignore the terminal's stops; return the signal
    mask we started with, for the child to get back."""
    # Blocked signals wait in the queue until sigwaitinfo takes them, one at a time: none is
    # lost between two waits and no handler interrupts anything. Blocking is also what lets
    # PID 1 receive them at all: the kernel drops a signal that PID 1 leaves at its default
    # action, but a blocked signal is queued first.
    original_mask = signal.pthread_sigmask(signal.SIG_BLOCK, COLLECTED)
    for signum in TTY_STOPS:
        signal.signal(signum, signal.SIG_IGN)
    return original_mask


def isolate_child():
    """In the child: a process group of its own, in the terminal's foreground if there is one."""
    # Its own group, so that whatever signals the group (a terminal's Ctrl-C, `kill -- -PGID`)
    # reaches CMD and its children, never the init.
    os.setpgid(0, 0)
    # The terminal sends SIGTTOU to a background group that makes itself the foreground; we
    # still ignore it here, which is why this comes before restore_signals.
    try:
        os.tcsetpgrp(0, os.getpgrp())
    except OSError as err:
        if err.errno not in (errno.ENOTTY, errno.ENXIO, errno.EBADF):   # no terminal: fine
            raise


def restore_signals(original_mask):
    """In the child: give CMD the signal state the init started with."""
    # exec keeps the signal mask and every ignored signal: without this CMD would start deaf
    # to everything we block, and with SIGPIPE ignored (a writer to a closed pipe would get
    # EPIPE errors forever instead of dying quietly).
    for signum in RESET_IN_CHILD:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, original_mask)


def exec_command(command, original_mask):
    """In the child: become CMD. Returns only if that failed, with the exit code saying why."""
    try:
        isolate_child()
        restore_signals(original_mask)
        os.execvp(command[0], command)
    except FileNotFoundError as err:
        code, reason = EXIT_NOT_FOUND, err.strerror
    except PermissionError as err:
        code, reason = EXIT_NOT_EXECUTABLE, err.strerror
    except OSError as err:
        code, reason = 1, err.strerror
    print(f"mini_init: cannot run {command[0]}: {reason}", file=sys.stderr, flush=True)
    return code


def spawn(command, original_mask):
    pid = os.fork()
    if pid == 0:
        # os._exit: a child whose exec failed must not fall back into the init's loop.
        os._exit(exec_command(command, original_mask))
    return pid


def wait_for_signal():
    # Wakes up every POLL_SECONDS whether a signal came or not: the next round reaps anyway.
    info = signal.sigtimedwait(FORWARDED, POLL_SECONDS)
    return None if info is None else info.si_signo


def forward(signum, child):
    try:
        os.kill(child, signum)
    except ProcessLookupError:
        pass   # CMD is gone already: there is nobody to tell


def exit_code(status):
    # A shell's convention, which tini follows: 128+N for a child killed by signal N
    # (waitstatus_to_exitcode gives -N for it).
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def reap_zombies(child):
    """Reap every child that has exited; return CMD's exit code if CMD was one, else None."""
    # One SIGCHLD may stand for many exits (a pending signal is one bit, not a counter), so
    # reap until the kernel says no exited child is left.
    code = None
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:   # no children at all
            return code
        if pid == 0:                # children remain, none of them has exited
            return code
        if pid == child:
            code = exit_code(status)


def main():
    args = parse_args()
    if args.subreaper:
        register_subreaper()
    original_mask = configure_signals()   # before fork: no signal can slip by unseen
    child = spawn(args.command, original_mask)
    while True:
        signum = wait_for_signal()
        if signum is not None:
            forward(signum, child)
        code = reap_zombies(child)
        if code is not None:
            return code


if __name__ == "__main__":
    sys.exit(main())
