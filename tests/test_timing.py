"""Timing checks are deterministic: the reference passes them run after run while both cores
are kept busy, and the mistakes they exist for fail them every time under the same load."""
import subprocess
import sys
from contextlib import contextmanager

import pytest

from conftest import ROOT, failed_checks, grade_faulty, grade_reference

RUNS = 10
TIMED = ["reaper.py", "server.py", "zombie.py"]


@contextmanager
def busy_cores(count: int = 2):
    """CPU hogs on the host, as a parallel test or a neighbour's job would be."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_reference_passes_timing_checks_ten_runs_in_a_row_under_load(client, tmp_path):
    with busy_cores():
        for run in range(RUNS):
            result = grade_reference(client, "lab3", tmp_path / str(run), only=TIMED)
            failures = {r.id: r.observed for r in result.results if not r.passed}
            assert failures == {}, f"run {run + 1} of {RUNS}"


@pytest.mark.parametrize("case, check", [
    ("coalesced-exits/one-wait-per-signal", "coalesced-exits"),
    ("prompt-reaping/sleepy-poll", "prompt-reaping"),
    ("reaps-without-input/reaps-on-input", "reaps-without-input"),
])
def test_timing_mistakes_fail_every_time_under_load(client, tmp_path, case, check):
    patch = ROOT / "labs" / "lab3" / "buggy" / f"{case}.patch"
    with busy_cores():
        for run in range(3):
            result, _ = grade_faulty(client, "lab3", patch, tmp_path / str(run))
            assert check in failed_checks(result), f"run {run + 1}: {check} passed"
