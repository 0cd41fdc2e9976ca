"""The host side of the trusted probe: the container's process table now, and the kernel's
record of everything that happened in it.

The probe (grader/probe.py, root-owned inside the image) runs for the whole grading session and
reads /proc when asked; the history (births, exits, stops, reaping, writes) is the process
recorder's (recorder.py). Checks ask them what the kernel showed, never what the program claimed.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import select
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import CheckFailed, InfraError
from .recorder import Record, Recorder
from .sandbox import HALTED, PROBE, Sandbox

# The probe in the images must be this very file: see probe.py's ready message.
PROBE_VERSION = hashlib.sha256((Path(__file__).parent / "probe.py").read_bytes()).hexdigest()

# Where a container's cgroup files are: a folder per controller under cgroup v1 (this machine),
# one folder for all under cgroup v2 (newer hosts).
CGROUP_FOLDERS = ["/sys/fs/cgroup/{controller}", "/sys/fs/cgroup"]
# Where the kernel counts what a container ran into at its limits: forks the pids limit refused,
# and processes killed at the memory limit: (controller, v1 file, v2 file, key).
LIMIT_COUNTERS = {
    "refused_forks": ("pids", "pids.events", "pids.events", "max"),
    "oom_kills": ("memory", "memory.oom_control", "memory.events", "oom_kill"),
}

USER_HZ = os.sysconf("SC_CLK_TCK")   # the unit of /proc's CPU times (100 on Linux)
STATE_NAMES = {"R": "running", "S": "sleeping", "D": "in disk sleep", "Z": "a zombie",
               "T": "stopped", "t": "traced", "X": "dead", "I": "idle"}


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str
    comm: str
    pgrp: int
    session: int
    tty: int
    uid: int
    starttime: int
    cpu_ticks: int

    @property
    def cpu_seconds(self) -> float:
        """CPU time used, user and system (/proc counts it in USER_HZ ticks)."""
        return self.cpu_ticks / USER_HZ

    @property
    def described(self) -> str:
        return f"PID {self.pid} ({self.comm}, parent {self.ppid}, {STATE_NAMES.get(self.state, self.state)})"


@dataclass(frozen=True)
class SignalMasks:
    """A process's signal masks, as /proc shows them: bit N-1 is signal N."""
    ignored: int
    blocked: int
    caught: int


def signal_masks_of(status: str) -> SignalMasks:
    """The masks in the text of a /proc/PID/status."""
    masks = dict(re.findall(r"^Sig(Ign|Blk|Cgt):\s*([0-9a-f]+)$", status, re.M))
    return SignalMasks(*(int(masks.get(key, "0"), 16) for key in ("Ign", "Blk", "Cgt")))


def counter(text: str, key: str) -> int | None:
    """A "key N" line's N in a cgroup file such as pids.events or memory.events, or None."""
    found = re.search(rf"^{key} (\d+)$", text, re.M)
    return int(found.group(1)) if found else None


def _proc(fields: dict) -> Proc:
    return Proc(**{name: fields[name] for name in Proc.__dataclass_fields__})


ANSWER_TIMEOUT = 30   # seconds; an answer takes milliseconds unless the container is starved
STARVED = (f"the grader's /proc probe got no answer for {ANSWER_TIMEOUT} s: the container's "
           "processes left it no CPU")


class Probe:
    """A long-running `probe.py serve` inside the sandbox, spoken to over a pipe."""

    # CPU seconds used by every closed probe of this grader, counted once make bench sets it
    # to 0 (asking each probe costs a round trip that gradings need not pay).
    cpu_spent: float | None = None
    _tally = threading.Lock()

    def __init__(self, sandbox: Sandbox):
        self._sandbox = sandbox
        argv = sandbox.exec_argv("python3", "-I", PROBE, "serve", user="0:0", tty=False)
        self._child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
        self._lock = threading.Lock()
        self.starved = False    # it stopped answering in time; its container must go
        # A question was interrupted before its answer was read (Ctrl-C, SIGTERM): the next
        # question would read this one's answer, so none is asked; its container must go too.
        self.out_of_step = False
        try:
            ready = self._ready()
        except BaseException:
            self._child.kill()
            self._child.wait()   # no docker client left a zombie on the host
            raise
        if ready.get("version") != PROBE_VERSION:
            raise InfraError("the lab images are older than the grader: run `make images`")
        self.pidns = ready["pidns"]
        if sandbox.kernel_record:
            self._recorder = Recorder.shared()
            self._lines = self._recorder.watch(self.pidns)
        else:
            # No recorder can run where there is no engine: the probe polls /proc instead.
            self._recorder = None
            self._ask(f"watch {sandbox.learner_uid}")
        # From a random token: a mark of another grader's probe, in a container that had this
        # one's namespace inode, read only now, is then unlikely to be taken for this one's.
        self._marks = itertools.count(random.randrange(0x10000))

    def _ready(self) -> dict:
        """The probe's first line, which says who it is, or why it could not start."""
        with self._lock:
            line = self._answer()
        if not line:
            self._lost()
        try:
            return json.loads(line)
        except ValueError:
            # What docker exec printed instead, such as the engine's reason for not starting
            # it: at the pids limit, runc itself finds no PID to start in.
            if "resource temporarily unavailable" in line.lower():
                raise CheckFailed("the grader could not start its /proc probe: the container's "
                                  "processes held every PID") from None
            raise InfraError(f"the /proc probe could not start: {line.strip()[:300]}") from None

    def _lost(self):
        if self._sandbox.halted:
            raise CheckFailed(HALTED)
        if not self._sandbox.running():
            # A container whose PID 1 is the learner's program ends when that program does.
            raise CheckFailed("the container stopped: its PID 1 exited")
        raise InfraError("the /proc probe stopped answering")

    def _answer(self) -> str:
        """The probe's next line ("" if it is gone). The probe shares the container's CPU quota
        with the learner's processes, so a fork bomb can starve it: past ANSWER_TIMEOUT the
        verdict blames the container's processes, and the probe is not asked again (a late
        answer would be read as the next question's)."""
        if self.starved:
            raise CheckFailed(STARVED)
        ready, _, _ = select.select([self._child.stdout], [], [], ANSWER_TIMEOUT)
        if not ready:
            self.starved = True
            self._child.kill()
            raise CheckFailed(STARVED)
        return self._child.stdout.readline()

    def _ask(self, command: str) -> dict:
        with self._lock:
            if self.out_of_step:
                raise InfraError("the /proc probe was interrupted between a question and its answer")
            try:
                self._child.stdin.write(command + "\n")
                self._child.stdin.flush()
                line = self._answer()
            except (BrokenPipeError, OSError):
                line = ""
            except BaseException:
                self.out_of_step = True
                raise
        if not line:
            self._lost()
        return json.loads(line)

    def close(self) -> None:
        if getattr(self, "_recorder", None):
            self._recorder.forget(self.pidns, self._lines)
        if self._child.poll() is None:
            if Probe.cpu_spent is not None:
                used = self._cpu_used()
                with Probe._tally:
                    Probe.cpu_spent += used
            self._child.kill()
        self._child.wait()  # reap it: the grader leaves no zombies of its own

    def _cpu_used(self) -> float:
        """The probe's own CPU time, if it answers within a second."""
        if self.starved:
            return 0.0
        try:
            self._child.stdin.write("cpu\n")
            self._child.stdin.flush()
            if select.select([self._child.stdout], [], [], 1)[0]:
                return json.loads(self._child.stdout.readline())["cpu"]
        except (OSError, ValueError, KeyError):
            pass
        return 0.0

    # --- what the kernel shows now -------------------------------------------------------
    def snapshot(self) -> dict[int, Proc]:
        return {p["pid"]: _proc(p) for p in self._ask("snapshot")["procs"]}

    def get(self, pid: int) -> Proc | None:
        return self.snapshot().get(pid)

    def children(self, pid: int) -> list[Proc]:
        return sorted((p for p in self.snapshot().values() if p.ppid == pid),
                      key=lambda p: (p.starttime, p.pid))

    def wait_for(self, predicate, timeout: float, interval: float = 0.01) -> dict[int, Proc] | None:
        """Poll until predicate(snapshot) holds; return that snapshot, or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            procs = self.snapshot()
            if predicate(procs):
                return procs
            if time.monotonic() >= deadline:
                return None
            time.sleep(interval)

    def wakeups(self, pid: int) -> int:
        """How many times pid's threads have gone to sleep so far (probe.py's wakeups)."""
        count = self._ask(f"wakeups {pid}")["wakeups"]
        if count is None:
            raise CheckFailed(f"PID {pid} had exited")
        return count

    def cpu_waited(self, pid: int) -> float:
        """Seconds pid's threads have spent runnable but kept off a CPU (by load, or by the
        container's CPU quota) in their lives so far; 0 once it is gone. Taken off a reaction
        time, it leaves the program's own."""
        nanoseconds = self._ask(f"waited {pid}")["waited"]
        return 0.0 if nanoseconds is None else nanoseconds / 1e9

    def cpu_wait(self, pid: int):
        """Start counting cpu_waited(pid): returns a function that tells it since this call."""
        before = self.cpu_waited(pid)
        return lambda: max(0.0, self.cpu_waited(pid) - before)

    def last_pid(self) -> int:
        """The last PID the container's namespace handed out (the probe itself forks nothing)."""
        return self._ask("last-pid")["last_pid"]

    def read_file(self, path: str, limit: int) -> str | None:
        """A regular file in the container (an output file, a pidfile), or None if there is none."""
        return self._ask(f"read {limit} {path}")["text"]

    def cgroup_file(self, controller: str, *names: str) -> tuple[str, str] | None:
        """The container's own cgroup file of a controller, cgroup v1 or v2, as (path, text):
        the first of `names` found (v1's name, then v2's if they differ), or None."""
        for folder in CGROUP_FOLDERS:
            for name in dict.fromkeys(names):   # v1 and v2 often share a name: read it once
                path = f"{folder.format(controller=controller)}/{name}"
                text = self.read_file(path, 4096)
                if text is not None:
                    return path, text
        return None

    def limit_counters(self) -> dict[str, int]:
        """The container's counts of refused forks and memory kills so far (LIMIT_COUNTERS)."""
        counts = {name: self.limit_counter(name) for name in LIMIT_COUNTERS}
        return {name: count for name, count in counts.items() if count is not None}

    def limit_counter(self, name: str) -> int | None:
        """One of LIMIT_COUNTERS (refused_forks, oom_kills) so far, or None if unreadable."""
        controller, v1, v2, key = LIMIT_COUNTERS[name]
        found = self.cgroup_file(controller, v1, v2)
        return counter(found[1], key) if found else None

    def signal_masks(self, pid: int) -> SignalMasks | None:
        """Which signals a process ignores, blocks and catches (/proc/PID/status), or None if
        it is gone."""
        status = self.read_file(f"/proc/{pid}/status", 8192)
        return None if status is None else signal_masks_of(status)

    def details(self, pid: int) -> dict:
        """cwd and open files (fd -> target) of a learner's process: see probe.py."""
        code, output = self._sandbox.exec_output("python3", "-I", PROBE, "details", str(pid))
        if code != 0:
            raise InfraError(f"the probe could not read the details of PID {pid}: {output!r}")
        return json.loads(output)["details"][0]

    def now(self) -> float:
        """The clock of the probe and of the recorder's record: the host's CLOCK_MONOTONIC."""
        return time.monotonic()

    # --- what the kernel showed over time -------------------------------------------------
    def record(self) -> Record:
        """The kernel's record of every process of the container, up to now (recorder.py)."""
        if self._recorder is None:
            history = self._ask("history")
            if history["failure"]:
                raise InfraError(f"the probe stopped polling /proc: {history['failure']}")
            return Record.polled(history["lives"])
        token = next(self._marks) % 0x10000
        cpus = self._ask(f"sync {token}")["cpus"]
        return self._recorder.record(self._lines, self.pidns, token, cpus)

    @property
    def lines_read(self) -> float:
        """How far the record has come: a polled one may have changed at any moment."""
        return time.monotonic() if self._recorder is None else len(self._lines)

    def sighting(self):
        """The record as the recorder has read it so far, made when called (Recorder.so_far):
        nothing is asked of the container, which may be starved or gone. A polled record is
        the probe's, asked now."""
        if self._recorder is not None:
            return self._recorder.so_far(self._lines)
        try:
            record = self.record()
        except (CheckFailed, InfraError):
            record = Record([], {})
        return lambda: record

    def record_when(self, predicate, timeout: float, interval: float = 0.01) -> Record:
        """The record once predicate(record) holds, or as it is after timeout. For an event
        another process's syscall reports on its way back: a reaped zombie leaves /proc inside
        its adopter's wait(), before the wait returns and is recorded."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.record()
            if predicate(record) or time.monotonic() >= deadline:
                return record
            time.sleep(interval)
