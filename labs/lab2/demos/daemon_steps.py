"""The double fork, one step at a time, as the kernel sees it.

    python3 /lab/demos/daemon_steps.py; sleep 0.5; cat /tmp/daemon_steps.log
    ps -o pid,ppid,pgid,sid,tty,stat,cmd -p $(tail -1 /tmp/daemon_steps.log | cut -d' ' -f2)

After each step, the process writes a line to /tmp/daemon_steps.log: its PID, parent, process
group, session, controlling terminal (0 = none) and working directory. Watch which of these
each step changes. The daemon then waits 60 s; `kill` it or let it go.
"""
import os
import time

LOG = "/tmp/daemon_steps.log"


def note(step):
    with open("/proc/self/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    with open(LOG, "a") as log:
        log.write(f"{step:<28} pid={os.getpid()} ppid={os.getppid()} pgid={os.getpgrp()} "
                  f"sid={os.getsid(0)} tty={fields[4]} cwd={os.getcwd()}\n")


def main():
    open(LOG, "w").close()
    note("0 launcher")
    first = os.fork()
    if first > 0:
        os.waitpid(first, 0)
        note("1 launcher, exiting")
        print(f"launcher: done; see {LOG}")
        return
    note("2 first child")
    os.setsid()
    note("3 after setsid()")
    if os.fork() > 0:
        os._exit(0)
    time.sleep(0.1)   # so that the first child has surely exited: we are adopted
    note("4 second child (adopted)")
    os.chdir("/")
    os.umask(0o022)
    note("5 after chdir('/')")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    note(f"6 stdio: {os.readlink('/proc/self/fd/1')}")
    time.sleep(60)
    os._exit(0)


if __name__ == "__main__":
    main()
