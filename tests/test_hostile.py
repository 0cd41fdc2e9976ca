"""Hostile submissions (tests/hostile/<case>/zombie.py) graded through the real engine in the
place of Lab 3's zombie.py, beside the reference's other two exercises: each gets its zero
with a plain reason, in bounded time, without an infrastructure error, and the exercises
graded after it still get full marks (the grader cleans up after it, or starts afresh)."""
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from grader import labspec

LAB = labspec.load("lab3")
HOSTILE = Path(__file__).parent / "hostile"
TIME_BOUND = 150    # seconds for the whole grading: the reference takes about 20

# What the report must say of each: the reason the hostile exercise got nothing.
REASONS = {
    "fork-bomb": "fork failed",             # and at which limit
    "memory-bomb": "MiB memory limit",
    "output-flood": "printed more than 1024 KB; output cut there",
    "fake-grader-output": "no process has that PID",
}


def points(file: str) -> int:
    return sum(c.points for e in LAB.spec.exercises if e.file == file for c in e.checks)


def test_every_case_has_a_reason():
    assert sorted(REASONS) == sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", sorted(REASONS))
def test_hostile_zombie_py_gets_zero_and_the_rest_is_graded(tmp_path, case):
    submission = tmp_path / "submission"
    shutil.copytree(LAB.folder / "solution", submission)
    shutil.copy(HOSTILE / case / "zombie.py", submission / "zombie.py")
    results = tmp_path / "results.json"

    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "grader", "grade", "lab3", submission,
                          "--json", results], cwd=ROOT, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=TIME_BOUND + 60)
    took = time.monotonic() - started

    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert took < TIME_BOUND
    assert REASONS[case] in run.stdout, run.stdout[-3000:]
    # Learner output is shown made printable: no escape sequence reaches the terminal.
    assert "\x1b" not in run.stdout + run.stderr
    scores = {}
    for test in json.loads(results.read_text())["tests"]:
        file = test["name"].split(":")[0]
        scores[file] = scores.get(file, 0) + test["score"]
    assert scores == {"zombie.py": 0, "reaper.py": points("reaper.py"),
                      "server.py": points("server.py")}, run.stdout[-3000:]
