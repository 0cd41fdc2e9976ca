#!/usr/bin/python3 -I
"""The grader's harness for Lab 5: the container's own command (PID 1), it starts the learner's
program when told and reports, from the kernel, what the program left behind. It runs as the
learner, like the program, and trusts nothing the program prints.

    harness.py [--pid-max N] [--stdout FILE] -- COMMAND...

With --pid-max, COMMAND runs in a fresh PID namespace (pidns-shell) under a second harness,
that namespace's PID 1, which sets its pid_max to N and reports through a pipe. The harness that
is the container's PID 1 never enters a namespace of the learner's: `docker exec` joins PID 1's
namespaces, so the grader's probe would otherwise run in a mount namespace the learner controls.
It is also made undumpable, so that the learner cannot ptrace it into doing so.

With --stdout, COMMAND's standard output is FILE (created or emptied) instead of the terminal,
as a shell pipeline or a log would have it: stdio then buffers whole blocks, not lines.

Commands, one a line on stdin:
    go WORD  start COMMAND (stdin /dev/null); every later line of the harness says
             "harness WORD ...", so the program cannot forge one
    freeze   SIGSTOP the program's children until all of them are stopped and the pids cgroup
             is full (or 5 s have passed)
    kill     SIGKILL one of the stopped children (stopping one first if freeze left none)
    thaw     SIGCONT them
    quit     exit
What it prints, each line starting with "harness ":
    ready
    started pid=P pid_max=M          the program's PID and pid_max, as its namespace has them
    frozen stopped=K full=yes|no     (stopped=0 if the program has ended)
    killed pid=P|none                the child it killed
    thawed
    ended status=S zombies=Z running=R
                                     S: the exit code, or -N if killed by signal N; Z and R:
                                     the program's children it left, zombie or still running
    broken status=S                  the namespace's harness ended without a report
"""
import ctypes
import os
import select
import signal
import sys
import termios
import time

# -I leaves the script's own folder out of the path; pidspace.py is beside it, root-owned.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pidspace import pids_cgroup

PIDS = pids_cgroup()                # cgroup v1 or v2
PIDNS_SHELL = "/opt/zombielab/lab/pidns-shell"
REPORT_FD = 3          # the namespace's harness reports through it
PR_SET_DUMPABLE = 4
TOKEN = []             # the word the grader sent with go: it marks the harness's lines


def say(text):
    os.write(1, " ".join(["harness", *TOKEN, text + "\n"]).encode())


def report(text):
    os.write(REPORT_FD, (text + "\n").encode())


def undumpable():
    """No ptrace and no /proc/PID/mem for processes of the same uid without CAP_SYS_PTRACE."""
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        sys.exit("harness: prctl(PR_SET_DUMPABLE) failed")


def children(parent):
    """{pid: state} of parent's children, from /proc."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found[int(name)] = fields[0]
    return found


def pids_full():
    with open(f"{PIDS}/pids.max") as f:
        limit = f.read().strip()
    with open(f"{PIDS}/pids.current") as f:
        return limit != "max" and int(f.read()) >= int(limit)


def signal_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def freeze(program):
    """Stop the program's children, again and again as it forks more, until every child is
    stopped and not one PID is free (or 5 s have passed); returns (stopped, full).

    Settled means the same stopped children in two rounds with the cgroup full in between: a
    child forked, or reaped, since the first round would change the set."""
    deadline = time.monotonic() + 5
    settled = None
    while time.monotonic() < deadline:
        kids = children(program)
        moving = [pid for pid, state in kids.items() if state != "T"]
        signal_all([pid for pid in moving if kids[pid] != "Z"], signal.SIGSTOP)
        if kids and not moving and settled == set(kids):
            break
        settled = set(kids) if kids and not moving and pids_full() else None
        time.sleep(0.002)
    return sum(state == "T" for state in children(program).values()), pids_full()


def kill_one(program):
    """SIGKILL one stopped child of the program; its PID, or None if it has ended or had no
    child for 5 s. Where freeze left none stopped (a machine so busy that every child it saw
    ended first), the program's children are stopped again until one stays, as freeze does."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        kids = children(program)
        if not kids and children(os.getpid()).get(program) in (None, "Z"):
            return None   # the program has ended: no child will come
        stopped = sorted(pid for pid, state in kids.items() if state == "T")
        if stopped:
            signal_all(stopped[:1], signal.SIGKILL)
            return stopped[0]
        signal_all([pid for pid, state in kids.items() if state != "Z"], signal.SIGSTOP)
        time.sleep(0.002)
    return None


def spawn(command, keep_fd=None, stdout=None):
    """Fork and exec command with stdin from /dev/null (and keep_fd open as REPORT_FD, and the
    file stdout, if given, as its standard output)."""
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
        if stdout is not None:
            os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        if keep_fd is not None:
            os.dup2(keep_fd, REPORT_FD)   # dup2 leaves the copy open across exec
        os.execvp(command[0], command)
    return pid


def started(pid, tell):
    with open("/proc/sys/kernel/pid_max") as f:
        tell(f"started pid={pid} pid_max={f.read().strip()}")


def finish(status, tell):
    """The program has ended: count what it left, then end every process that may still run
    (so nothing prints after this) and reap them all."""
    left = children(os.getpid())
    zombies = sum(state == "Z" for state in left.values())
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    code = os.waitstatus_to_exitcode(status)
    tell(f"ended status={code} zombies={zombies} running={len(left) - zombies}")


def namespace_init(pid_max, command):
    """PID 1 of the fresh namespace: set its pid_max, run the program, report on REPORT_FD."""
    with open("/proc/sys/kernel/pid_max", "w") as f:
        f.write(pid_max)
    os.set_inheritable(REPORT_FD, False)
    pid = spawn(command)
    started(pid, report)
    finish(os.waitpid(pid, 0)[1], report)


class Lines:
    """Whole lines read from a file descriptor as they come; None at end of file."""

    def __init__(self, fd):
        self.fd, self.pending = fd, b""

    def read(self):
        data = os.read(self.fd, 4096)
        if not data:
            return None
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        return [line.decode().strip() for line in lines]


def echo_off():
    """So that the grader's commands do not come back mixed with the program's output."""
    if os.isatty(0):
        attrs = termios.tcgetattr(0)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(0, termios.TCSANOW, attrs)


def supervise(command, pid_max, stdout):
    """The container's PID 1: answer the grader's commands while the program runs."""
    echo_off()
    stdin, reports, program, reported = Lines(0), None, None, False
    say("ready")
    while True:
        sources = [0] + ([reports.fd] if reports else [])
        ready = select.select(sources, [], [], 0.005)[0]
        if reports and reports.fd in ready:
            lines = reports.read()
            for line in lines or []:
                reported = reported or line.startswith("ended")
                say(line)
            if lines is None:
                os.close(reports.fd)
                reports = None
        if program is not None:
            pid, status = os.waitpid(program, os.WNOHANG)
            if pid and not pid_max:
                finish(status, say)
            elif pid and not reports and not reported:
                say(f"broken status={os.waitstatus_to_exitcode(status)}")
            if pid:
                program = None
        for word in (stdin.read() or ["quit"]) if 0 in ready else []:
            if word.startswith("go ") and program is None:
                TOKEN[:] = word.split()[1:2]
                program, reports = start(command, pid_max, stdout)
            elif word == "freeze":
                stopped, full = freeze(program) if program and not pid_max else (0, False)
                say(f"frozen stopped={stopped} full={'yes' if full else 'no'}")
            elif word == "kill":
                killed = kill_one(program) if program else None
                say(f"killed pid={killed or 'none'}")
            elif word == "thaw":
                if program:
                    signal_all([p for p, s in children(program).items() if s == "T"], signal.SIGCONT)
                say("thawed")
            elif word == "quit":
                return


def start(command, pid_max, stdout):
    """Start the program: directly, or in a fresh namespace under a second harness that
    reports through a pipe (and passes its standard output on to the program). Returns (pid,
    Lines of that pipe or None)."""
    if not pid_max:
        pid = spawn(command, stdout=stdout)
        started(pid, say)
        return pid, None
    read, write = os.pipe()
    pid = spawn([PIDNS_SHELL, sys.executable, "-I", __file__, "--namespace-init", pid_max,
                 "--", *command], keep_fd=write, stdout=stdout)
    os.close(write)
    return pid, Lines(read)


def main():
    args = sys.argv[1:]
    split = args.index("--")
    options, command = args[:split], args[split + 1:]
    undumpable()
    if "--namespace-init" in options:
        namespace_init(options[options.index("--namespace-init") + 1], command)
    else:
        supervise(command, option(options, "--pid-max"), option(options, "--stdout"))


def option(options, name):
    return options[options.index(name) + 1] if name in options else None


if __name__ == "__main__":
    main()
