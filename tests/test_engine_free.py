"""Grading with no Docker engine, in PrairieLearn's external grading image as `zombielab package
prairielearn` builds it, run as PrairieLearn's grader host runs a job: root, Docker's default
capabilities and seccomp profile, network off, 2 GiB, 1024 PIDs, no core dumps, /grade
mounted, the entrypoint as the container's first process. The grader runs there as root; each
learner program as uid 1000 under rlimits; the probe's /proc polls stand in for the kernel's
record. A check that needs more is skipped, with the reason; every other check judges as under
Docker: each reference passes it, each wrong solution fails exactly the checks it names."""
import fcntl
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import case_fails, faulty_cases, faulty_submission
from grader import corpus, labspec, platforms

IMAGE = "zombielab/prairielearn-test"
PL_FLAGS = ["--network", "none", "--memory", "2g", "--memory-swap", "2g", "--pids-limit", "1024",
            "--ulimit", "core=0", "--ipc", "private", "-t"]
SITE = "PYTHONPATH=/opt/zombielab/root:/opt/zombielab/site"


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """The image and question folders, made once per session for every test worker (the
    others wait): pytest-xdist's workers share the parent of their own temporary folders."""
    base = tmp_path_factory.getbasetemp()
    out = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "prairielearn"
    out.mkdir(exist_ok=True)
    with open(out / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "made").exists():
            for name in labspec.available():
                platforms.prairielearn(name, out, IMAGE)
            (out / "made").touch()
    return out


def run_job(grade: Path, lab_name: str) -> tuple[dict, str]:
    """A grading job as PrairieLearn runs one (its entrypoint, info.json's, as the container's
    first process, which must exit 0): results.json, and what the container printed."""
    argv = ["docker", "run", "--rm", *PL_FLAGS, "-v", f"{grade}:/grade",
            "--entrypoint", platforms.ENTRYPOINT, IMAGE, lab_name]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Traceback" not in done.stdout + done.stderr, done.stdout
    return json.loads((grade / "results" / "results.json").read_text()), done.stdout


def test_the_environment_says_what_a_platform_container_allows(artifacts):
    output = subprocess.run(
        ["docker", "run", "--rm", *PL_FLAGS, "--entrypoint", "env", IMAGE, SITE,
         "python3", "-m", "grader", "environment"], capture_output=True, text=True).stdout
    for line in ["Docker engine:        none", "new namespaces:       refused",
                 "first namespaces:     no (in a container)", "own pids limit:       1024",
                 "process recorder:     cannot run", "backend:              engine-free"]:
        assert line in output, output


def test_the_question_collects_the_labs_files_for_the_image(artifacts):
    for name in labspec.available():
        lab = labspec.load(name)
        folder = artifacts / "questions" / name
        info = json.loads((folder / "info.json").read_text())
        assert info["gradingMethod"] == "External" and info["type"] == "v3"
        options = info["externalGradingOptions"]
        assert options["enabled"] and options["image"] == IMAGE
        assert options["entrypoint"] == f"{platforms.ENTRYPOINT} {name}"
        assert 0 < options["timeout"] <= 600
        html = (folder / "question.html").read_text()
        for exercise in lab.spec.exercises:
            assert exercise.file in html
        assert "<pl-file-upload optional-file-names=" in html
        assert "<pl-external-grader-results>" in html


def references() -> list:
    return [pytest.param(name, language, id=f"{name}/{language.name}")
            for name in labspec.available()
            for language in corpus.languages(labspec.load(name))]


@pytest.mark.parametrize("lab_name, language", references())
def test_each_reference_passes_what_is_judged_and_the_rest_says_why(artifacts, tmp_path, lab_name,
                                                                     language):
    corpus.reference(labspec.load(lab_name), tmp_path / "student", language)
    results, _ = run_job(tmp_path, lab_name)
    if not any(test["max_points"] for test in results["tests"]):   # nothing judged here
        assert results["gradable"] is False and "nothing of" in results["message"], results
    else:
        assert results["gradable"] and results["score"] == 1.0, results["message"]
        assert "engine-free" in results["message"]
    for test in results["tests"]:
        if test["max_points"] == 0:
            assert "skipped: " in test["output"], test
        else:
            assert test["points"] == test["max_points"], test


def judged_faulty_cases() -> list:
    """The wrong solutions whose checks the engine-free backend judges: checks that need
    nothing it lacks, in an exercise whose runs it can make."""
    cases = []
    for name in labspec.available():
        judged = set()
        for exercise in labspec.load(name).spec.exercises:
            if not any(set(check.needs) & labspec.RUN_NEEDS for check in exercise.checks):
                judged |= {check.id for check in exercise.checks if not check.needs}
        cases += [case for case in faulty_cases(name) if case_fails(case.values[1]) <= judged]
    return cases


@pytest.mark.parametrize("lab_name, case", judged_faulty_cases())
def test_each_wrong_solution_fails_exactly_its_checks(artifacts, tmp_path, lab_name, case):
    lab = labspec.load(lab_name)
    target, files, must_fail = faulty_submission(lab, case, tmp_path)
    target.rename(tmp_path / "student")
    results, output = run_job(tmp_path, lab_name)
    failed = {test["name"] for test in results["tests"] if test["points"] < test["max_points"]}
    names = {f"{e.file}: {c.name}" for e in lab.spec.exercises for c in e.checks if c.id in must_fail}
    assert failed == names, output


def test_a_job_that_cannot_be_graded_is_not_gradable_and_counts_no_attempt(artifacts, tmp_path):
    results, output = run_job(tmp_path, "lab3")   # no /grade/student at all
    assert results["gradable"] is False, results
    assert results["message"].startswith("error: "), results
