"""One submission of a batch, graded in a child process of its own.

The child prints its outcome as one JSON line: {"gradable": true, "results": <Gradescope
results>} or {"gradable": false, "reason": ...}. Anything else (a crash of the grader, a kill)
is an infrastructure failure too, so that no failure of ours becomes a learner's zero.

    python -m grader.job LAB FOLDER [--only FILE ...]
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from . import labspec, report
from .errors import InfraError, SubmissionError
from .grade import grade
from .labspec import Lab

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def outcome(lab_name: str, folder: Path, only: list[str] | None) -> dict:
    """Grade folder in this process and classify what happened."""
    try:
        lab = labspec.load(lab_name)
        result = grade(lab, folder, only=only)
    except SubmissionError as exc:   # too large, not regular files: the learner's to fix
        return {"gradable": True, "results": zero(lab, only, str(exc))}
    except (InfraError, labspec.LabError) as exc:
        return {"gradable": False, "reason": str(exc)}
    return {"gradable": True, "results": report.gradescope(result)}


def time_limit(lab: Lab) -> float:
    """How long one submission may take before its grader is stopped as stuck: twice its
    exercises' own limits, and time for the containers."""
    return 2 * sum(e.timeout for e in lab.spec.exercises) + 120


def zero(lab: Lab, only: list[str] | None, message: str) -> dict:
    """Gradescope results failing every check with one message, as `grade` would for a
    submission it refuses as a whole."""
    tests = [{"name": f"{e.file}: {c.name}", "score": 0, "max_score": c.points,
              "status": "failed", "output": f"observed: {message}"}
             for e in lab.spec.exercises if not only or e.file in only for c in e.checks]
    max_score = sum(t["max_score"] for t in tests)
    return {"score": 0, "max_score": max_score, "execution_time": 0.0,
            "output": f"{lab.spec.title}: 0/{max_score}", "tests": tests}


PARENT_ENV = "ZOMBIELAB_BATCH_PARENT"


def _die_with_parent() -> None:
    """SIGTERM this grader when the batch that started it dies (a batch killed with -9 takes
    its graders with it; SIGTERM lets them remove their containers). Set here rather than in a
    preexec_fn, which is unsafe in a threaded parent; a parent already gone means exit now."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    parent = os.environ.get(PARENT_ENV)
    if parent and int(parent) != os.getppid():
        sys.exit("the batch that started this grader is gone")


class Children:
    """The grading processes running now, so that an interrupted batch can stop them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen] = set()
        self.stopping = False

    def run(self, lab_name: str, folder: Path, only: list[str] | None, timeout: float) -> dict:
        """Grade folder in a child process; its outcome, or an infrastructure failure."""
        argv = [sys.executable, "-m", "grader.job", lab_name, str(folder)]
        for file in only or []:
            argv += ["--only", file]
        with self.lock:
            if self.stopping:
                return {"gradable": False, "reason": "the batch was interrupted"}
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True,
                                    env={**os.environ, PARENT_ENV: str(os.getpid())})
            self.procs.add(proc)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()          # SIGTERM: the grader removes its containers
            proc.communicate()
            return {"gradable": False, "reason": f"grading took longer than {timeout:g} s"}
        finally:
            with self.lock:
                self.procs.discard(proc)
        return parse(proc.returncode, stdout, stderr)

    def stop(self) -> None:
        """SIGTERM every running grader (each removes its containers) and refuse new ones;
        the threads that started them reap them."""
        with self.lock:
            self.stopping = True
            for proc in self.procs:
                proc.terminate()


def parse(returncode: int, stdout: str, stderr: str) -> dict:
    lines = stdout.strip().splitlines()
    if returncode == 0 and lines:
        try:
            return json.loads(lines[-1])
        except json.JSONDecodeError:
            pass
    last_words = (stderr.strip().splitlines() or ["no message"])[-1]
    return {"gradable": False, "reason": f"the grader failed (exit status {returncode}): {last_words}"}


def main(argv=None) -> int:
    _die_with_parent()
    p = argparse.ArgumentParser(prog="python -m grader.job")
    p.add_argument("lab")
    p.add_argument("folder", type=Path)
    p.add_argument("--only", action="append")
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C
    try:
        result = outcome(args.lab, args.folder, args.only)
    except KeyboardInterrupt:   # the batch is stopping; the containers were removed
        return 130
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
