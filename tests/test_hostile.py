"""Hostile submissions (tests/hostile/<case>/zombie.py) graded through the real engine in the
place of Lab 3's zombie.py, with the reference's reaper.py graded after it in the same
container: each gets its zero with a plain reason, in bounded time, without an infrastructure
error; reaper.py still gets full marks (the grader cleaned up after it, or started afresh); and
the host's kernel settings are as they were."""
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
TIME_BOUND = 90     # seconds for the grading: the reference's two exercises take about 10
HOST_SETTINGS = [Path("/proc/sys/kernel/pid_max"), Path("/proc/sys/kernel/core_pattern")]
TIMED_OUT = 'did not print "zombie <pid>" within 5 s'

# What the report must say of each: the reason the hostile exercise got nothing.
REASONS = {
    "fork-bomb": "fork failed",             # and at which limit
    "memory-bomb": "MiB memory limit",
    "output-flood": "printed more than 1024 KB; output cut there",
    "fake-grader-output": "no process has that PID",
    "sleeps-forever": TIMED_OUT,
    "ignores-signals": TIMED_OUT,
    "kills-everything": TIMED_OUT,
    "closes-output": TIMED_OUT,
    "leaves-daemon": "exited with status 0 before printing",
    "tries-root": "is not a child of zombie.py",
    "not-utf-8": "Non-UTF-8 code",
}


def points(file: str) -> int:
    return sum(c.points for e in LAB.spec.exercises if e.file == file for c in e.checks)


def test_every_case_has_a_reason():
    assert sorted(REASONS) == sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", sorted(REASONS))
def test_hostile_zombie_py_gets_zero_and_reaper_py_full_marks(tmp_path, case):
    submission = tmp_path / "submission"
    shutil.copytree(LAB.folder / "solution", submission)
    shutil.copy(HOSTILE / case / "zombie.py", submission / "zombie.py")
    results = tmp_path / "results.json"

    settings = [path.read_text() for path in HOST_SETTINGS]
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "grader", "grade", "lab3", submission,
                          "--only", "zombie.py", "--only", "reaper.py", "--json", results],
                         cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=TIME_BOUND + 60)
    took = time.monotonic() - started
    assert [path.read_text() for path in HOST_SETTINGS] == settings

    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert took < TIME_BOUND
    assert REASONS[case] in run.stdout, run.stdout[-3000:]
    # Learner output is shown made printable: no escape sequence reaches the terminal.
    assert "\x1b" not in run.stdout + run.stderr
    scores = {}
    for test in json.loads(results.read_text())["tests"]:
        file = test["name"].split(":")[0]
        scores[file] = scores.get(file, 0) + test["score"]
    assert scores == {"zombie.py": 0, "reaper.py": points("reaper.py")}, run.stdout[-3000:]


def test_a_batch_with_the_whole_corpus_grades_every_good_submission(tmp_path):
    """The corpus among three good students, two graders side by side: a fork bomb or a flood
    in one grader's container must not cost a neighbour a point."""
    klass, out = tmp_path / "class", tmp_path / "RESULTS"
    good = ["good-1", "good-2", "good-3"]
    for student in good:
        shutil.copytree(LAB.folder / "solution", klass / student)
    for case in REASONS:
        (klass / case).mkdir(parents=True)
        shutil.copy(HOSTILE / case / "zombie.py", klass / case / "zombie.py")

    run = subprocess.run([sys.executable, "-m", "grader", "batch", "lab3", klass, "--out", out,
                          "--only", "zombie.py", "--workers", "2"], cwd=ROOT,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    scores = {p.parent.name: json.loads(p.read_text())["score"]
              for p in (out / "gradescope").glob("*/results.json")}
    assert scores == {**{student: points("zombie.py") for student in good},
                      **{case: 0 for case in REASONS}}
