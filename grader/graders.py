"""The child graders of a batch: one process per worker slot, grading one submission at a time.

A grader reads requests ({"lab", "folder", "only"}) as JSON lines on stdin and answers each
with one JSON line: {"gradable": true, "results": <Gradescope results>} or {"gradable": false,
"reason": ...}. Python and the grader load once per slot, not once per submission; every
submission still gets fresh containers. A grader that dies or hangs is an infrastructure
failure too, so that no failure of ours becomes a learner's zero.

    python -m grader.graders
"""
from __future__ import annotations

import ctypes
import functools
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import docker

from . import interrupts, labspec, report
from .engine import connect, engine_answers, remove_own, remove_strays
from .errors import ENGINE_DOWN, InfraError, SubmissionError, disk_full
from .grading import Scorecard, grade
from .labspec import Lab

PR_SET_PDEATHSIG = 1
PARENT_ENV = "ZOMBIELAB_BATCH_PARENT"
STOP_GRACE = 10   # seconds a stopping grader has to clean up on its own


@functools.lru_cache(maxsize=None)
def _lab(name: str) -> Lab:
    """Each lab is loaded once per grader: its definition does not change mid-batch."""
    return labspec.load(name)


@functools.lru_cache(maxsize=1)
def _engine():
    """One engine connection per grader, not a new one (and a ping) per submission."""
    return connect()


def grade_here(lab_name: str, folder: Path, only: list[str] | None) -> dict:
    """Grade folder in this process; the outcome says whether it could be graded, and how it
    was or why not."""
    try:
        lab = _lab(lab_name)
        result = grade(lab, folder, only=only, client=_engine())
    except SubmissionError as exc:   # too large, not regular files: the learner's to fix
        return {"gradable": True,
                "results": report.gradescope(Scorecard.refused(lab, only, str(exc)))}
    except (InfraError, labspec.LabError) as exc:
        return {"gradable": False, "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a grader bug must not end the other gradings
        return {"gradable": False, "reason": cause(exc)}
    return {"gradable": True, "results": report.gradescope(result)}


def cause(exc: Exception) -> str:
    """What an unexpected exception says went wrong: the machine (the engine gone, a full
    disk, no memory left) before a bug of the grader's, which is named with where it was."""
    if not engine_answers():
        return ENGINE_DOWN
    if disk_full(exc):
        return f"disk full: {exc}"
    if isinstance(exc, MemoryError):
        return "out of memory in the grader"
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"grader bug: {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"


def task_outcome(future) -> dict:
    """A finished grading task's outcome; a task that raised (a worker lost too often, a bug of
    ours) is an infrastructure failure."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - whatever it is, it is not the learner's fault
        return {"gradable": False, "reason": f"grading task failed: {type(exc).__name__}: {exc}"}


def time_limit(lab: Lab) -> float:
    """How long one submission may take before its grader is stopped as stuck: twice its
    exercises' own limits, and time for the containers."""
    return 2 * sum(e.timeout for e in lab.spec.exercises) + 120


def die_with_parent() -> None:
    """Have the kernel send this process SIGTERM when its parent dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _die_with_batch() -> None:
    """SIGTERM this grader when the batch that started it dies (a batch killed with -9 takes
    its graders with it; SIGTERM lets them remove their containers). Set here rather than in a
    preexec_fn, which is unsafe in a threaded parent; a parent already gone means exit now."""
    die_with_parent()
    parent = os.environ.get(PARENT_ENV)
    if parent and int(parent) != os.getppid():
        sys.exit("the batch that started this grader is gone")


class GraderLost(Exception):
    """The grader process died or hung; the message says which."""


STOP_TIMEOUT = 120   # seconds for a stopped grader to remove its containers


class Grader:
    """One child grader process, asked one submission at a time."""

    def __init__(self):
        # The death signal follows the thread that forks, so each slot's thread starts its own.
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.graders"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, PARENT_ENV: str(os.getpid())})

    def ask(self, lab_name: str, folder: Path, only: list[str] | None, timeout: float) -> dict:
        try:
            self.proc.stdin.write(json.dumps({"lab": lab_name, "folder": str(folder), "only": only}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:   # ValueError: stdin closed by stop()
            raise GraderLost(f"the grader process was gone ({exc})") from exc
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            raise GraderLost(f"grading took longer than {timeout:g} s")
        line = self.proc.stdout.readline()
        if not line:
            raise GraderLost(f"the grader process died (exit status {self.proc.wait()})")
        return json.loads(line)

    def stop(self) -> None:
        """SIGTERM (the grader removes its containers, as on Ctrl-C) and reap it, with SIGKILL
        if it has not ended in STOP_TIMEOUT; then remove whatever containers it left."""
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            remove_strays(connect())
        except (InfraError, docker.errors.DockerException):
            pass    # the next run sweeps them


class GraderPool:
    """The child graders of this process, one per thread that grades."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mine = threading.local()
        self.graders: set[Grader] = set()
        self.stopping = False

    def run(self, lab_name: str, folder: Path, only: list[str] | None, timeout: float) -> dict:
        """Grade folder with this thread's grader; its outcome, or an infrastructure failure."""
        grader = self._grader()
        if grader is None:
            return {"gradable": False, "reason": "the batch was interrupted"}
        try:
            return grader.ask(lab_name, folder, only, timeout)
        except GraderLost as exc:
            self._discard(grader)   # the next submission gets a new one
            return {"gradable": False, "reason": str(exc)}

    def _grader(self) -> Grader | None:
        with self.lock:
            if self.stopping:
                return None
            # A grader whose thread ended got its death signal: reap it, no zombie stays.
            self.graders -= {g for g in self.graders if g.proc.poll() is not None}
            if getattr(self.mine, "grader", None) not in self.graders:
                self.mine.grader = Grader()
                self.graders.add(self.mine.grader)
            return self.mine.grader

    def _discard(self, grader: Grader) -> None:
        with self.lock:
            if grader not in self.graders:
                return   # stop() has it
            self.graders.discard(grader)
        grader.stop()

    def stop(self) -> None:
        """Stop every grader, each removing its containers, and refuse new work."""
        with self.lock:
            self.stopping = True
            graders, self.graders = self.graders, set()
        for grader in graders:
            grader.stop()


def _end_overdue() -> None:
    """A stopping grader's cleanup can hang (an interrupt in the middle of a Docker call can
    leave the client's connection pool locked): past STOP_GRACE, its containers are removed on
    a connection of its own, and it ends."""
    time.sleep(STOP_GRACE)
    try:
        remove_own(docker.from_env(timeout=60))
    finally:
        os._exit(130)


def serve() -> int:
    """The grader process: answer requests until stdin closes or SIGTERM."""
    _die_with_batch()
    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            threading.Thread(target=_end_overdue, daemon=True).start()
        stopping.set()
        interrupts.interrupt()   # clean up as on Ctrl-C (when no Docker call is cut short)

    signal.signal(signal.SIGTERM, stop)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            answer = grade_here(request["lab"], Path(request["folder"]), request["only"])
            if stopping.is_set():   # an error while cleaning up replaced the interrupt
                return 130
            print(json.dumps(answer), flush=True)
    except KeyboardInterrupt:   # the batch is stopping; the containers were removed
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(serve())
