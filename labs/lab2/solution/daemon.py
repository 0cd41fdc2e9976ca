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

UMASK = 0o022   # a known umask: the one we inherited belongs to whoever started us


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pidfile", help="where the daemon writes its PID")
    # Absolute now: after chdir("/") a relative path would point somewhere else.
    return os.path.abspath(ap.parse_args().pidfile)


def detach():
    """Return in the daemon, with the write end of the launcher's ready pipe; the launcher and
    the first child never return from here."""
    # The launcher must not return before the daemon can be used (daemon(7)); rather than guess
    # how long that takes, it reads a pipe whose write end only the daemon keeps.
    ready_read, ready_write = os.pipe()
    # First fork: the launcher returns to whoever started it (a shell waits for it). The child
    # is not a process group leader, which setsid() requires.
    first = os.fork()
    if first > 0:
        os.close(ready_write)   # our own copy would keep read() from ever seeing EOF
        # The first child exits as soon as it has forked the daemon: waiting for it is quick
        # and leaves no zombie.
        os.waitpid(first, 0)
        sys.exit(launcher_verdict(ready_read))
    os.close(ready_read)
    # A new session with no controlling terminal; we lead it, and its only process group.
    os.setsid()
    # Second fork: a session leader that opens a terminal can acquire it as its controlling
    # terminal. The daemon is the leader's child, so it never can. The leader exits, and the
    # daemon is adopted by PID 1 (or the nearest subreaper).
    if os.fork() > 0:
        os._exit(0)
    return ready_write


def launcher_verdict(ready_read):
    # One byte: the daemon is ready. EOF without one: every copy of the write end was closed,
    # so the daemon died before it got there.
    if os.read(ready_read, 1):
        return 0
    print("daemon.py: the daemon exited before it was ready", file=sys.stderr)
    return 1


def settle_in():
    # Don't keep a directory busy (a mount that can't be unmounted); "/" is always there.
    os.chdir("/")
    os.umask(UMASK)
    # The terminal may be gone at any time; writing to it would then fail or hang us. Point
    # 0, 1 and 2 at /dev/null (never just close them: the next open() would get fd 0, 1 or 2
    # and a stray print would land in that file).
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)


def write_pidfile(path):
    # Write a temporary file in the same directory and rename it over PIDFILE: rename(2) is
    # atomic only within one file system, so whoever reads PIDFILE sees a whole PID or none.
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(temporary, path)


def serve_until_sigterm(pidfile, ready_write):
    # Block SIGTERM before announcing ourselves: one sent as soon as PIDFILE appears then
    # waits, pending, for sigwait() instead of killing us before we can clean up.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    write_pidfile(pidfile)
    os.write(ready_write, b"\n")   # ready: the launcher may return
    os.close(ready_write)
    signal.sigwait({signal.SIGTERM})   # a real daemon would do its work meanwhile
    os.unlink(pidfile)


def main():
    pidfile = parse_args()
    ready_write = detach()
    settle_in()
    serve_until_sigterm(pidfile, ready_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
