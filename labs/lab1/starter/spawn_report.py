"""spawn_report.py CMD... -- run shell commands one at a time with posix_spawn, and say how each
one ended, as the wait status macros decode it.

Contract (one line per event, each written whole with say()):
  spawn_report.py ignores SIGINT and SIGQUIT itself. It opens spawn.log in its working
  directory (created, or emptied) and then, for each CMD in order, starts `/bin/sh -c CMD`
  with os.posix_spawn and prints `spawned <pid>`. Each command starts with file descriptors
  0, 1, 2 and 3 only (3 is spawn.log), every signal that spawn_report.py ignores back at its
  default action, and an empty signal mask. It waits for the command with WUNTRACED, printing
  for each status the wait reports
      <pid> exited <code>
      <pid> killed by <SIGNAME>              (or: ... (core dumped))
      <pid> stopped by <SIGNAME>             (then it sends SIGCONT and waits again)
  and starts the next command only once this one has exited or been killed. Exits 0.

    $ python3 spawn_report.py 'exit 3' 'kill -STOP $$; kill -TERM $$'
    spawned 41
    41 exited 3
    spawned 42
    42 stopped by SIGSTOP
    42 killed by SIGTERM

The grader checks the kernel's view: that each command is your child and became /bin/sh at
once, that each line says what the kernel's wait status said, and what each command really
started with (its ignored and blocked signals in /proc/<pid>/status, its open files).
"""
import os
import signal
import sys

LOG = "spawn.log"
LOG_FD = 3   # the file descriptor the commands find spawn.log on


def say(line):
    """Print one line: one write(2) for the whole line, flushed at once (see fork_children.py)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def spawn(command, log_fd):
    """Start /bin/sh -c command with os.posix_spawn; return its PID."""
    # TODO: exec keeps three things the command must not get from this process: descriptors
    # not marked close-on-exec, ignored signals, and the signal mask. posix_spawn's keyword
    # arguments (file_actions, setsigdef, setsigmask) set each one in the child, before exec.
    # Python opened log_fd close-on-exec, so it must be copied to LOG_FD in the child.


def report(pid):
    """Wait for pid until it has exited or been killed, saying each status the wait reports."""
    # TODO: os.waitpid(pid, os.WUNTRACED); ask which kind of status it is (os.WIFSTOPPED,
    # os.WIFSIGNALED, os.WIFEXITED) before reading a number out of it (os.WSTOPSIG,
    # os.WTERMSIG with os.WCOREDUMP, os.WEXITSTATUS). signal.Signals(n).name is a signal's
    # name. A stopped command stays stopped until you send it SIGCONT.


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: spawn_report.py CMD...")
    # TODO: ignore SIGINT and SIGQUIT; open LOG for writing (created, or emptied); then for each
    # command: spawn it, say `spawned <pid>`, report it.
    return 0


if __name__ == "__main__":
    sys.exit(main())
