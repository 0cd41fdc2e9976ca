"""A learner's program running in the sandbox under a real terminal, driven with pexpect.

`docker exec -it` gives the program a pty inside the container, so Ctrl-C is a real SIGINT from
the terminal driver and end-of-input is a real ^D. A trusted launcher reports the program's
PID (as the container sees it) before handing the process over to python3 with exec.
"""
from __future__ import annotations

import re
import signal
import time

import pexpect

from .errors import CheckFailed
from .sandbox import Sandbox
from .timeline import Action

PID_MARK = "zombielab-pid"
READ_SIZE = 64 * 1024
SEARCH_WINDOW = 256 * 1024
CLIENT_EXIT_SECONDS = 5.0   # for the docker client to end after the program's output ends

# Runs first in the exec'd process, then becomes the learner's program with exec, so the PID it
# prints is the program's and it leaves no child behind (a shell running stty would fork one).
# It also prints its parent's PID.
# Echo goes off so that the grader's own input does not come back mixed with the output; with
# an output file (argv[1] other than "-"), stdout goes there, buffered as Python buffers files.
# The rest of argv is the command it becomes, with SIGPIPE and SIGXFSZ back to their defaults:
# this python3 ignores both, and exec would keep them ignored (a C program would start that way,
# as no shell starts it).
LAUNCHER = f"""
import os, signal, sys, termios
attrs = termios.tcgetattr(0)
attrs[3] &= ~termios.ECHO
termios.tcsetattr(0, termios.TCSANOW, attrs)
print("{PID_MARK}", os.getpid(), os.getppid(), flush=True)
output, command = sys.argv[1], sys.argv[2:]
if output != "-":
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.close(fd)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
os.execvp(command[0], command)
"""


def printable(text: str) -> str:
    """Learner output made safe to show: no escape sequences, no carriage returns."""
    return "".join(c if c.isprintable() else "?" for c in text)


class Transcript:
    """pexpect's logfile_read: keeps what the program printed, up to the output limit, and
    stops the wait the moment the limit is passed (pexpect would otherwise keep reading a flood
    into its buffer, searching it all again on every read)."""

    def __init__(self, limit: int, name: str):
        self.limit = limit
        self.name = name
        self.size = 0
        self.chunks: list[str] = []

    def write(self, data: str) -> None:
        kept = self.size
        self.size += len(data)
        if kept < self.limit:
            self.chunks.append(data[: self.limit - kept])
        if self.overflowed:
            raise CheckFailed(f"{self.name} printed more than {self.limit // 1024} KB; "
                              "output cut there")

    def flush(self) -> None:
        pass

    @property
    def overflowed(self) -> bool:
        return self.size > self.limit


class Program:
    """One run of a learner's program under a terminal. Lines are matched whole, one per event.

    pid is the program's PID as its container sees it; for a program started with exec it is
    read from the trusted launcher's first line.
    """

    def __init__(self, command: list[str], name: str, output_limit: int, deadline: float,
                 pid: int | None = None, actions: list[Action] | None = None):
        self.name = name
        self.actions = [] if actions is None else actions   # its container's (Sandbox.actions)
        self.deadline = deadline
        self.transcript = Transcript(output_limit, name)
        # A search window: pexpect otherwise searches everything unmatched again on each read,
        # which a flood makes quadratic. Lines are matched as they arrive, so only a line
        # left unread behind more than SEARCH_WINDOW of other output could be missed.
        self.child = pexpect.spawn(
            command[0], command[1:], encoding="utf-8", codec_errors="replace", echo=False,
            timeout=None, dimensions=(24, 200), maxread=READ_SIZE, searchwindowsize=SEARCH_WINDOW)
        # pexpect sleeps 50 ms before each send (for programs that drop input typed before
        # their prompt); the programs here read lines, and a tty keeps what they have not read.
        self.child.delaybeforesend = None
        # Its close sleeps 100 ms, then escalates through signals on a timer: _end_client waits
        # for the docker client instead.
        self.child.ptyproc.delayafterclose = 0
        self.child.logfile_read = self.transcript
        self._launched = pid is None
        # ppid: its parent's PID as its container sees it (0: outside, the docker exec).
        self.pid, self.ppid = (pid, 0) if pid is not None else map(
            int, self._expect_raw(rf"{PID_MARK} (\d+) (\d+)\r?\n", 30, "start").groups())
        self.exit_status: int | None = None

    def _remaining(self, timeout: float) -> float:
        return max(0.0, min(timeout, self.deadline - time.monotonic()))

    def _expect_raw(self, pattern: str | re.Pattern, timeout: float, what: str):
        allowed = self._remaining(timeout)
        index = self.child.expect([pattern, pexpect.EOF, pexpect.TIMEOUT], timeout=allowed)
        if index == 0:
            return self.child.match
        if index == 1:
            self._collect_exit()
            raise CheckFailed(f"{self.name} exited with status {self.exit_status} before "
                              f"printing {what}{self._last_words()}")
        if allowed < timeout:
            raise CheckFailed(f"{self.name} had not printed {what} when the exercise's time "
                              f"limit ran out{self._last_words()}")
        raise CheckFailed(f"{self.name} did not print {what} within {timeout:g} s"
                          f"{self._last_words()}")

    def _last_words(self) -> str:
        tail = [line for line in self.lines() if line.strip()][-3:]
        return f"; its last output was: {printable(' | '.join(tail))}" if tail else ""

    def expect_line(self, pattern: str, timeout: float, what: str | None = None) -> re.Match:
        """Wait for a whole line matching pattern; returns the match (times are read by callers).
        Compiled here because pexpect compiles strings with re.DOTALL, where "." runs on into
        the next lines."""
        line = re.compile(rf"(?m)^(?:{pattern})\r?\n")
        return self._expect_raw(line, timeout, what or repr(pattern))

    def lines(self) -> list[str]:
        """Everything the program printed so far, as lines (not the launcher's PID line)."""
        text = "".join(self.transcript.chunks).replace("\r", "")
        return text.split("\n")[1 if self._launched else 0:]

    def send_line(self, text: str) -> None:
        self.child.sendline(text)

    def interrupt(self) -> None:
        """Ctrl-C, typed at the terminal: the kernel's tty driver sends SIGINT."""
        self._typed("Ctrl-C (SIGINT from the terminal)")
        self.child.sendintr()

    def stop_output(self) -> None:
        """Ctrl-S: the terminal driver stops output, and whoever prints blocks in write()."""
        self._typed("Ctrl-S (terminal output stopped)")
        self.child.sendcontrol("s")

    def resume_output(self) -> None:
        """Ctrl-Q: output flows again, and the blocked writers go on."""
        self._typed("Ctrl-Q (terminal output resumed)")
        self.child.sendcontrol("q")

    def end_input(self) -> None:
        """Ctrl-D at the start of a line: the program reads end of file."""
        self._typed("Ctrl-D (end of input)")
        self.child.sendeof()

    def _typed(self, what: str) -> None:
        self.actions.append(Action(time.monotonic(), what, []))

    def wait_exit(self, timeout: float) -> int:
        """Wait for the program to end; return its exit status (128+N if killed by signal N)."""
        allowed = self._remaining(timeout)
        index = self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=allowed)
        if index == 1:
            if allowed < timeout:
                raise CheckFailed(f"{self.name} was still running when the exercise's time "
                                  "limit ran out")
            raise CheckFailed(f"{self.name} was still running {timeout:g} s later")
        self._collect_exit()
        return self.exit_status

    def _collect_exit(self) -> None:
        self._end_client(patience=CLIENT_EXIT_SECONDS)
        self.exit_status = (self.child.exitstatus if self.child.exitstatus is not None
                            else 128 + (self.child.signalstatus or 0))

    def close(self) -> None:
        """Stop relaying the program (the container's processes are ended by the caller)."""
        self._end_client(patience=0)

    def _end_client(self, patience: float) -> None:
        """Wait up to `patience` s for the docker client to end by itself (after the program's
        end of output it follows at once), else kill it; then close the terminal. Waited for,
        so that it leaves no zombie on the host."""
        if self.child.closed:
            return
        ends = time.monotonic() + patience
        while self.child.isalive() and time.monotonic() < ends:
            time.sleep(0.002)
        if self.child.isalive():
            self.child.kill(signal.SIGKILL)
            self.child.wait()
        self.child.close()


def exec_program(sandbox: Sandbox, command: list[str], name: str, output_limit: int,
                 deadline: float, stdout: str | None = None) -> Program:
    """Run command in a running sandbox, as the learner, under docker exec's pty (its standard
    output to the file `stdout` instead, if given)."""
    argv = sandbox.exec_argv("python3", "-I", "-c", LAUNCHER, stdout or "-", *command)
    return Program(argv, name, output_limit, deadline, actions=sandbox.actions)


def attach_program(sandbox: Sandbox, name: str, output_limit: int, deadline: float) -> Program:
    """Start a created container attached to a terminal: the program is the container's own
    command, and its exit status is the container's. Its PID is given as 1: the container's
    first process (the program itself in the noinit image, tini in the tini image)."""
    return Program(["docker", "start", "-ai", sandbox.id], name, output_limit, deadline, pid=1,
                   actions=sandbox.actions)
