"""spawn_report.py with posix_spawnp found on PATH, its child's signals reset through
POSIX_SPAWN_SETSIGDEF, and waitid: how each command ended is read from waitid's si_code, not
decoded from a wait status with the macros."""
import os
import signal
import sys

ENDINGS = {os.CLD_EXITED: "exited {}", os.CLD_KILLED: "killed by {}",
           os.CLD_DUMPED: "killed by {} (core dumped)", os.CLD_STOPPED: "stopped by {}"}


def say(line):
    os.write(1, (line + "\n").encode())


def start(command, log):
    ignored = [s for s in signal.valid_signals() if signal.getsignal(s) == signal.SIG_IGN]
    return os.posix_spawnp("sh", ["sh", "-c", command], os.environ,
                           file_actions=[(os.POSIX_SPAWN_DUP2, log, 3)],
                           setsigdef=ignored, setsigmask=set())


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
