"""Process groups, sessions and the controlling terminal, as the kernel shows them.

    python3 /lab/demos/session_demo.py            # a foreground job
    python3 /lab/demos/session_demo.py & wait     # a background job

Prints, for your shell, the demo and a child of the demo: PID, process group (PGID), session
(SID), controlling terminal (TTY, field 7 of /proc/PID/stat) and which process group is in the
terminal's foreground (tcgetpgrp). Your shell leads the session; each job gets a process group
of its own; a forked child stays in its parent's group and session.
"""
import os

# run: python3 /lab/demos/session_demo.py
# shows: ^shell +(\d+) +\d+ +\1  /dev/pts/\d+$
# shows: ^demo +(\d+) +\1 +(\d+)  /dev/pts/\d+\nchild +\d+ +\1 +\2  /dev/pts/\d+$
# shows: ^the terminal's foreground process group is (\d+) \(the demo\)$
# run: python3 /lab/demos/session_demo.py & wait
# shows: ^the terminal's foreground process group is \d+ \(not the demo: it runs in the background\)$

FIELDS = "{:<6} {:>6} {:>6} {:>6}  {}"


def tty_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        tty_nr = int(f.read().rpartition(")")[2].split()[4])
    return os.ttyname(0) if tty_nr and os.isatty(0) else ("?" if not tty_nr else str(tty_nr))


def row(name, pid):
    print(FIELDS.format(name, pid, os.getpgid(pid), os.getsid(pid), tty_of(pid)), flush=True)


def main():
    print(FIELDS.format("", "PID", "PGID", "SID", "TTY"))
    row("shell", os.getppid())
    row("demo", os.getpid())
    pid = os.fork()
    if pid == 0:
        row("child", os.getpid())
        os._exit(0)
    os.waitpid(pid, 0)
    try:
        foreground = os.tcgetpgrp(0)
        whose = "the demo" if foreground == os.getpgrp() else "not the demo: it runs in the background"
        print(f"the terminal's foreground process group is {foreground} ({whose})")
    except OSError:
        print("stdin is not a terminal")


if __name__ == "__main__":
    main()
