"""spawn_report.py with fork + exec and waitid: the child runs only the exec's preparations,
and how each command ended is read from waitid's si_code."""
import os
import signal
import sys

ENDINGS = {os.CLD_EXITED: "exited {}", os.CLD_KILLED: "killed by {}",
           os.CLD_DUMPED: "killed by {} (core dumped)", os.CLD_STOPPED: "stopped by {}"}


def say(line):
    os.write(1, (line + "\n").encode())


def start(command, log):
    ignored = [s for s in signal.valid_signals() if signal.getsignal(s) == signal.SIG_IGN]
    pid = os.fork()
    if pid == 0:
        for sig in ignored:
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.dup2(log, 3, inheritable=True)
        os.set_inheritable(3, True)
        os.execv("/bin/sh", ["sh", "-c", command])
    return pid


def report(pid):
    while True:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WSTOPPED)
        status = info.si_status
        what = status if info.si_code == os.CLD_EXITED else signal.Signals(status).name
        say(f"{pid} " + ENDINGS[info.si_code].format(what))
        if info.si_code != os.CLD_STOPPED:
            return
        os.kill(pid, signal.SIGCONT)


signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
log = os.open("spawn.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for command in sys.argv[1:]:
    pid = start(command, log)
    say(f"spawned {pid}")
    report(pid)
