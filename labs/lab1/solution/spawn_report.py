"""spawn_report.py CMD... -- run shell commands one at a time with posix_spawn, and say how each
one ended, as the wait status macros decode it.

The contract is the handout's (exercise 3) and the starter's: each command starts with
descriptors 0 to 3 only (3 is spawn.log), nothing ignored and nothing blocked; each status the
wait reports is one line, `<pid> exited <code>`, `<pid> killed by <SIGNAME>` (with
` (core dumped)`), or `<pid> stopped by <SIGNAME>`, after which the command is continued.
"""
import os
import signal
import sys

LOG = "spawn.log"
LOG_FD = 3   # the file descriptor the commands find spawn.log on


def say(line):
    # One write(2) per line, flushed at once: see fork_children.py.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def ignored_signals():
    """Every signal this process ignores: SIGINT and SIGQUIT by its own choice, SIGPIPE and
    SIGXFSZ because Python ignores them at startup. exec keeps an ignored signal ignored."""
    return [sig for sig in signal.valid_signals() if signal.getsignal(sig) == signal.SIG_IGN]


def spawn(command, log_fd):
    """Start /bin/sh -c command, fork and exec in one call; return its PID."""
    return os.posix_spawn(
        "/bin/sh", ["sh", "-c", command], os.environ,
        # Python opens every file close-on-exec; a dup2 in the child makes a copy that is not.
        file_actions=[(os.POSIX_SPAWN_DUP2, log_fd, LOG_FD)],
        # exec resets handlers but keeps ignored signals and the mask: put both right here.
        setsigdef=ignored_signals(),
        setsigmask=())


def report(pid):
    """Wait for pid until it has ended, saying each status the kernel reports."""
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            say(f"{pid} stopped by {signal.Signals(os.WSTOPSIG(status)).name}")
            os.kill(pid, signal.SIGCONT)
        elif os.WIFSIGNALED(status):
            core = " (core dumped)" if os.WCOREDUMP(status) else ""
            say(f"{pid} killed by {signal.Signals(os.WTERMSIG(status)).name}{core}")
            return
        elif os.WIFEXITED(status):
            say(f"{pid} exited {os.WEXITSTATUS(status)}")
            return


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: spawn_report.py CMD...")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    log_fd = os.open(LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for command in sys.argv[1:]:
        pid = spawn(command, log_fd)
        say(f"spawned {pid}")
        report(pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
