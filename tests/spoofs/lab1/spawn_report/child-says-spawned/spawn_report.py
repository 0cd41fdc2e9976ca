"""Spoof: fork, then the child announces itself and execs; the spawned line comes from the
child, before its exec, not from the program that started it."""
import os
import signal
import sys


def say(line):
    os.write(1, (line + "\n").encode())


def child(command, log):
    say(f"spawned {os.getpid()}")
    for sig in signal.valid_signals():
        if signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.dup2(log, 3)
    os.set_inheritable(3, True)   # dup2 onto itself keeps close-on-exec
    os.execv("/bin/sh", ["sh", "-c", command])


signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
log = os.open("spawn.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for command in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        child(command, log)
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            say(f"{pid} stopped by {signal.Signals(os.WSTOPSIG(status)).name}")
            os.kill(pid, signal.SIGCONT)
            continue
        if os.WIFSIGNALED(status):
            core = " (core dumped)" if os.WCOREDUMP(status) else ""
            say(f"{pid} killed by {signal.Signals(os.WTERMSIG(status)).name}{core}")
        else:
            say(f"{pid} exited {os.WEXITSTATUS(status)}")
        break
