"""Spoof: spawns each command correctly and waits for it, but never decodes how it ended: it
prints what the command's text suggests."""
import os
import signal
import sys


def say(line):
    os.write(1, (line + "\n").encode())


def guess(command):
    if "exit" in command:
        return "exited 0"
    if "ulimit -c" in command:
        return "killed by SIGQUIT (core dumped)"
    return "killed by SIGTERM"


signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
log = os.open("spawn.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
defaults = [s for s in signal.valid_signals() if signal.getsignal(s) == signal.SIG_IGN]
for command in sys.argv[1:]:
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", command], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, log, 3)], setsigdef=defaults,
                         setsigmask=())
    say(f"spawned {pid}")
    while os.WIFSTOPPED(os.waitpid(pid, os.WUNTRACED)[1]):
        say(f"{pid} stopped by SIGSTOP")
        os.kill(pid, signal.SIGCONT)
    say(f"{pid} {guess(command)}")
