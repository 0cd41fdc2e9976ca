"""The process recorder's helper container, which stands in for bpftrace on the host where the
grader cannot run it (its reading of the kernel's events: tests/fast/test_recorder.py)."""
import os
import shutil
import subprocess
import sys

from conftest import ROOT
from grader import corpus, labspec


def test_helper_container_records_in_place_of_the_host(client, tmp_path):
    """Docker Desktop's way: bpftrace in the grader's helper container, not on the host. A
    reference passes and a spoof that lets the kernel discard its children fails, the same."""
    def grade(folder, *only):
        return subprocess.run([sys.executable, "-m", "grader", "grade", "lab1", str(folder), *only],
                              env=dict(os.environ, ZOMBIELAB_RECORDER="container"), cwd=ROOT,
                              capture_output=True, text=True)
    reference = corpus.reference(labspec.load("lab1"), tmp_path / "reference")
    graded = grade(reference)
    full = labspec.load("lab1").spec.max_score
    assert graded.returncode == 0 and f"Score: {full}/{full}" in graded.stdout, \
        graded.stdout + graded.stderr
    submission = shutil.copytree(reference, tmp_path / "submission")
    shutil.copy(ROOT / "tests" / "spoofs" / "lab1" / "fork_children" / "ignores-sigchld" /
                "fork_children.py", submission)
    graded = grade(submission, "--only", "fork_children.py")
    assert graded.returncode == 1, graded.stdout + graded.stderr
    assert "SIGCHLD was ignored, so the kernel discarded it" in graded.stdout
