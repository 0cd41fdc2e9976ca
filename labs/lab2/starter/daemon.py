"""daemon.py PIDFILE -- become a daemon with the classic double fork.

Contract:
  The launcher (what you start) exits 0 within 1 s, once the daemon has told it that it is
  ready (PIDFILE written). The daemon it leaves behind:
    - has been adopted (its parent exited), is in a session of its own but is not the
      session's leader, and has no controlling terminal;
    - has / as its working directory, and stdin, stdout and stderr on /dev/null;
    - writes its own PID to PIDFILE, in decimal followed by a newline;
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
    """Return in the daemon, with the write end of the launcher's ready pipe; the launcher and
    the first child never return from here."""
    # TODO: make a pipe (os.pipe) before forking: the daemon will tell the launcher through it.
    # TODO: fork. The launcher closes its write end, waits for this first child (os.waitpid),
    #       then reads the pipe: a byte means the daemon is ready (exit 0); EOF with no byte
    #       means the daemon died before it was ready (say so, exit 1).
    # TODO: in the child: close the read end; os.setsid(); fork again; the session leader
    #       os._exit(0)s; the daemon returns the write end.
    return None


def settle_in():
    """Working directory, umask, and standard files, as a daemon should have them."""
    # TODO: chdir to "/", set a known umask, point 0, 1 and 2 at /dev/null (os.dup2).


def serve_until_sigterm(pidfile, ready_write):
    """Write PIDFILE, tell the launcher we are ready, wait for SIGTERM, remove PIDFILE."""
    # TODO: a SIGTERM that arrives right after PIDFILE appears must not kill us before we clean
    # up: block it first (signal.pthread_sigmask), then wait for it (signal.sigwait).
    # TODO: write PIDFILE to a temporary file in the same directory, then os.replace() it.
    # TODO: once PIDFILE is there, write a byte to ready_write and close it.


def main():
    pidfile = parse_args()
    ready_write = detach()
    settle_in()
    serve_until_sigterm(pidfile, ready_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
