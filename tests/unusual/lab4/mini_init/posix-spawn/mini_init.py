"""mini_init.py [--subreaper] CMD [ARG...] -- a minimal init, after tini.

Contract (as `tini -- CMD` behaves):
  1. runs CMD as its child;
  2. forwards the signals it receives to CMD (all but the few it needs itself), and lets CMD
     start with a clean signal state: nothing blocked, nothing ignored;
  3. reaps every child that exits, its own and every orphan it adopts, as they exit;
  4. when CMD exits, exits at once with CMD's exit code, 128+N if a signal N killed it (127 if
     CMD does not exist, 126 if it cannot be executed);
  5. with --subreaper, makes itself a child subreaper, so that orphans come to it even when it
     is not PID 1 (as `tini -s`).

Unusual, but correct: CMD is started with os.posix_spawnp, not fork + exec, so no Python code
runs in the child. posix_spawn's attributes do the child's part: a process group of its own
(setpgroup), the signal mask the init started with (setsigmask) and every signal Python can
name back to its default action (setsigdef). The terminal's foreground group is handed to CMD
by the init itself, right after the spawn. An exec failure comes back as an exception from
posix_spawnp, and the init exits 127 or 126 itself.
"""
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
# it. The init ignores them, so that it can never be stopped that way (see give_terminal).
TTY_STOPS = {signal.SIGTTIN, signal.SIGTTOU}
# Everything else is taken by the main loop: SIGCHLD means "reap", every other one is
# forwarded. SIGKILL and SIGSTOP can be neither blocked nor caught.
COLLECTED = signal.valid_signals() - SYNCHRONOUS - TTY_STOPS - {signal.SIGKILL, signal.SIGSTOP}

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


# Every signal Python can name (glibc keeps its own internal ones out of reach): each goes back
# to its default action in the child, whatever the init did with it.
RESET_IN_CHILD = signal.valid_signals()


def give_terminal(child):
    """Make CMD's process group the terminal's foreground group, if there is a terminal."""
    # The init ignores SIGTTOU, so it may do this from the background; the child's group exists
    # from the moment posix_spawnp returns.
    try:
        os.tcsetpgrp(0, child)
    except OSError as err:
        # no terminal, or CMD already gone with its group: nothing to hand over
        if err.errno not in (errno.ENOTTY, errno.ENXIO, errno.EBADF, errno.EPERM, errno.ESRCH):
            raise


def spawn(command, original_mask):
    """Start CMD; return (its PID, None), or (None, the exit code) if it could not be run."""
    try:
        pid = os.posix_spawnp(command[0], command, os.environ, setpgroup=0,
                              setsigmask=original_mask, setsigdef=RESET_IN_CHILD)
    except FileNotFoundError as err:
        code, reason = EXIT_NOT_FOUND, err.strerror
    except PermissionError as err:
        code, reason = EXIT_NOT_EXECUTABLE, err.strerror
    except OSError as err:
        code, reason = 1, err.strerror
    else:
        give_terminal(pid)
        return pid, None
    print(f"mini_init: cannot run {command[0]}: {reason}", file=sys.stderr, flush=True)
    return None, code


def wait_for_signal():
    # Sleeps in the kernel until a collected signal is pending: an idle init uses no CPU.
    return signal.sigwaitinfo(COLLECTED).si_signo


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
    child, failed = spawn(args.command, original_mask)
    if child is None:
        return failed
    while True:
        signum = wait_for_signal()
        if signum != signal.SIGCHLD:
            forward(signum, child)
        code = reap_zombies(child)
        if code is not None:
            return code


if __name__ == "__main__":
    sys.exit(main())
