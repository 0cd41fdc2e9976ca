"""daemon.py PIDFILE -- become a daemon with the classic double fork.

Contract:
  The launcher (what you start) exits 0 within 1 s. The daemon it leaves behind:
    - has been adopted (its parent exited), is in a session of its own but is not the
      session's leader, and has no controlling terminal;
    - has / as its working directory, and stdin, stdout and stderr on /dev/null;
    - writes its own PID to PIDFILE;
    - on SIGTERM, removes PIDFILE and exits 0.
"""
import argparse
import os
import signal
import sys


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pidfile", help="where the daemon writes its PID")
    # Absolute now: after chdir("/") a relative path would point somewhere else.
    return os.path.abspath(ap.parse_args().pidfile)


def detach():
    """Return in the daemon; the launcher and the first child never return from here."""
    # TODO: fork (the launcher waits for this first child, then os._exit(0));
    #       in the child: os.setsid(); fork again; the session leader os._exit(0)s.


def settle_in():
    """Working directory, umask, and standard files, as a daemon should have them."""
    # TODO: chdir to "/", set a known umask, point 0, 1 and 2 at /dev/null (os.dup2).


def serve_until_sigterm(pidfile):
    """Write PIDFILE, wait for SIGTERM, remove PIDFILE."""
    # TODO: a SIGTERM that arrives right after PIDFILE appears must not kill us before we clean
    # up: block it first (signal.pthread_sigmask), then wait for it (signal.sigwait).


def main():
    pidfile = parse_args()
    detach()
    settle_in()
    serve_until_sigterm(pidfile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
