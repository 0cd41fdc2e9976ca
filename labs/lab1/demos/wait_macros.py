"""posix_spawn starts a program in one call; the wait status macros say how it ended.

    python3 /lab/demos/wait_macros.py

Each command below is started with os.posix_spawn (fork and exec in one call: the child never
runs a line of this Python program) and waited for with WUNTRACED, so that a stop is reported
too. Each wait status is printed raw, in hex, and then decoded with the macros, asking first
which kind of status it is: stopped, killed by a signal (perhaps with a core dump) or exited.
"""
import os
import signal
import sys

# run: python3 /lab/demos/wait_macros.py
# shows: ^status 0x0300 +WIFEXITED +WEXITSTATUS = 3$
# shows: ^status 0x000f +WIFSIGNALED +WTERMSIG = 15 \(SIGTERM\), WCOREDUMP = False$
# shows: ^status 0x137f +WIFSTOPPED +WSTOPSIG = 19 \(SIGSTOP\)$
# shows: ^status 0x00(83|03) +WIFSIGNALED +WTERMSIG = 3 \(SIGQUIT\), WCOREDUMP = (True|False)$
# shows: ^status 0x0000 +WIFEXITED +WEXITSTATUS = 0$

COMMANDS = [
    "exit 3",
    "kill -TERM $$",
    "kill -STOP $$; exit 0",   # stops; this demo continues it, and it then exits 0
    # A core file needs a core size limit above 0 and a folder it may write in. Whether the
    # kernel really writes one depends on the machine (/proc/sys/kernel/core_pattern).
    "ulimit -c unlimited; cd /tmp; kill -QUIT $$",
]


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def decode(status):
    """The macros, each asked only once the status is known to be of its kind."""
    if os.WIFSTOPPED(status):
        sig = os.WSTOPSIG(status)
        return f"WIFSTOPPED    WSTOPSIG = {sig} ({signal.Signals(sig).name})"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return (f"WIFSIGNALED   WTERMSIG = {sig} ({signal.Signals(sig).name}), "
                f"WCOREDUMP = {os.WCOREDUMP(status)}")
    return f"WIFEXITED     WEXITSTATUS = {os.WEXITSTATUS(status)}"


def main():
    for command in COMMANDS:
        # SIGQUIT's default action is to dump core; the child gets the default whatever this
        # process does with it, because setsigdef resets it between the fork and the exec.
        pid = os.posix_spawn("/bin/sh", ["sh", "-c", command], os.environ,
                             setsigdef=[signal.SIGQUIT])
        say(f"$ sh -c '{command}'    (PID {pid})")
        while True:
            _, status = os.waitpid(pid, os.WUNTRACED)
            say(f"status 0x{status:04x}   {decode(status)}")
            if not os.WIFSTOPPED(status):
                break
            os.kill(pid, signal.SIGCONT)   # a stopped child waits for this before going on


if __name__ == "__main__":
    main()
