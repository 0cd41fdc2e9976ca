"""mini_init.py [--subreaper] CMD [ARG...] -- a minimal init, after tini.

Contract (as `tini -- CMD` behaves):
  1. runs CMD as its child;
  2. forwards the signals it receives to CMD (at least HUP, INT, QUIT, USR1, USR2, PIPE, ALRM,
     TERM, CONT, TSTP, URG and WINCH), and lets CMD start with a clean signal state: nothing
     blocked, nothing ignored;
  3. reaps every child that exits, its own and every orphan it adopts, as they exit;
  4. when CMD exits, exits at once with CMD's exit code, 128+N if a signal N killed it (127 if
     CMD does not exist, 126 if it cannot be executed);
  5. with --subreaper, makes itself a child subreaper, so that orphans come to it even when it
     is not PID 1 (as `tini -s`).
It must not use CPU while nothing happens.

Try it:  python3 mini_init.py sh -c 'exit 3'; echo $?     (3)
         python3 mini_init.py sh -c 'kill -KILL $$'; echo $?     (137)
"""
import argparse
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36   # from <linux/prctl.h>


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
    # TODO: prctl(PR_SET_CHILD_SUBREAPER, 1) through ctypes.CDLL(None, use_errno=True).
    pass


def configure_signals():
    """Get ready to receive signals; return whatever the child needs to undo it."""
    # TODO: how will the init learn about signals, and about children exiting? (Remember:
    # the kernel drops a signal for PID 1 that PID 1 has left at its default action.)
    return None


def spawn(command, saved):
    """Start CMD as a child; return its PID."""
    # TODO: fork; in the child, give CMD a clean signal state (what does exec keep?), then
    # os.execvp. If the exec fails, leave the child with os._exit(127 or 126).
    return None


def forward(signum, child):
    # TODO: pass the signal on to CMD, and only to CMD.
    pass


def reap_zombies(child):
    """Reap every child that has exited; return CMD's exit code if CMD was one, else None."""
    # TODO: one SIGCHLD may stand for many exits.
    return None


def main():
    args = parse_args()
    if args.subreaper:
        register_subreaper()
    saved = configure_signals()
    child = spawn(args.command, saved)
    # TODO: until CMD exits: sleep until something happens (no polling), forward what must be
    # forwarded, reap what has exited; then return CMD's exit code.
    return 1


if __name__ == "__main__":
    sys.exit(main())
