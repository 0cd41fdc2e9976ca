"""The double fork, one step at a time, as the kernel sees it.

    python3 /lab/demos/daemon_steps.py; cat /tmp/daemon_steps.log
    ps -o pid,ppid,pgid,sid,tty,stat,cmd -p <the daemon's PID, which the launcher prints>

After each step, the process writes a line to /tmp/daemon_steps.log: its PID, parent, process
group, session, controlling terminal (0 = none) and working directory. Watch which of these
each step changes. The launcher returns only once the daemon has told it, through a pipe, that
it is ready (daemon(7)), so the log is complete when your prompt comes back. The daemon then
waits 60 s (--seconds); `kill` it or let it go.
"""
import argparse
import os
import time

# run: python3 /lab/demos/daemon_steps.py --seconds 1; cat /tmp/daemon_steps.log
# shows: ^0 launcher .* tty=[1-9]\d* cwd=/home/learner/work$
# shows: ^3 after setsid\(\) +pid=(\d+) ppid=\d+ pgid=\1 sid=\1 tty=0
# shows: ^4 second child \(adopted\) +pid=(\d+) ppid=1 pgid=\d+ sid=(?!\1 )\d+ tty=0
# shows: ^6 stdio: /dev/null +pid=\d+ ppid=1 .* tty=0 cwd=/$
# shows: (?s)^launcher: daemon (\d+) is ready.*^6 stdio: /dev/null +pid=\1 .*^7 launcher: daemon ready

LOG = "/tmp/daemon_steps.log"


def note(step):
    with open("/proc/self/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    with open(LOG, "a") as log:
        log.write(f"{step:<28} pid={os.getpid()} ppid={os.getppid()} pgid={os.getpgrp()} "
                  f"sid={os.getsid(0)} tty={fields[4]} cwd={os.getcwd()}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60, help="how long the daemon lives")
    seconds = ap.parse_args().seconds

    open(LOG, "w").close()
    note("0 launcher")
    # The daemon will write its PID here when it is ready; the launcher reads it before exiting.
    ready_read, ready_write = os.pipe()
    note("1 launcher: ready pipe")
    first = os.fork()
    if first > 0:
        os.close(ready_write)
        os.waitpid(first, 0)
        daemon = os.read(ready_read, 16).decode().strip()
        note("7 launcher: daemon ready")
        print(f"launcher: daemon {daemon} is ready; see {LOG}")
        return
    os.close(ready_read)
    note("2 first child")
    os.setsid()
    note("3 after setsid()")
    session_leader = os.getpid()   # before fork: the daemon compares getppid() with it
    if os.fork() > 0:
        os._exit(0)
    while os.getppid() == session_leader:   # wait to be adopted, however slow the leader is
        time.sleep(0.01)
    note("4 second child (adopted)")
    os.chdir("/")
    os.umask(0o022)
    note("5 after chdir('/')")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    note(f"6 stdio: {os.readlink('/proc/self/fd/1')}")
    os.write(ready_write, f"{os.getpid()}\n".encode())
    os.close(ready_write)
    time.sleep(seconds)
    os._exit(0)


if __name__ == "__main__":
    main()
