"""Why the second fork: a session leader acquires the first terminal it opens.

    python3 /lab/demos/ctty_demo.py

Two processes, each in a new session without a controlling terminal (setsid), open a fresh
terminal (a new pseudo-terminal's /dev/pts/N) with a plain open(), as a daemon might when it
opens a log or a device that happens to be a terminal:
  - the session leader: the terminal becomes its controlling terminal, and with it come
    SIGHUP on hang-up and Ctrl-C from whoever types there;
  - the session leader's child (after the daemon's second fork): nothing happens.
"""
import os

# run: python3 /lab/demos/ctty_demo.py
# shows: ^  session leader: controlling terminal now device 136:\d+$
# shows: ^  leader's child: controlling terminal now none$


def controlling_terminal():
    with open("/proc/self/stat") as f:
        tty_nr = int(f.read().rpartition(")")[2].split()[4])
    return "none" if tty_nr == 0 else f"device {tty_nr >> 8}:{tty_nr & 0xFF}"


def open_a_terminal(who):
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)
    print(f"  {who} (PID {os.getpid()}, session {os.getsid(0)}): controlling terminal "
          f"{controlling_terminal()}; opening {path}", flush=True)
    fd = os.open(path, os.O_RDWR)   # no O_NOCTTY: the flag a careful daemon would add
    print(f"  {who}: controlling terminal now {controlling_terminal()}", flush=True)
    os.close(fd)
    os.close(master)


def in_new_session(second_fork):
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if not second_fork:
            open_a_terminal("session leader")
        elif os.fork() == 0:
            open_a_terminal("leader's child")
        else:
            os.wait()
        os._exit(0)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    in_new_session(second_fork=False)
    in_new_session(second_fork=True)
