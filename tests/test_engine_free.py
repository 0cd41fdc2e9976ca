"""Grading with no Docker engine, inside a container started as PrairieLearn starts its grading
jobs: root, Docker's default capabilities and seccomp profile, network off, 2 GiB, 1024 PIDs,
the grading folder /grade mounted, tini as PID 1. The grader runs there as root; each learner
program as uid 1000 under rlimits; the probe's /proc polls stand in for the kernel's record.
A check that needs more is skipped, with the reason; every other check judges as under Docker:
each reference passes it, each wrong solution fails exactly the checks it names."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, case_fails, faulty_cases, faulty_submission
from grader import corpus, labspec

SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
IMAGE = "zombielab/tini"   # the lab image, with tini as its entrypoint
LEFT = "learner processes left: "


def inside_platform(*command: str, grade: Path | None = None) -> str:
    """Run command in a container made as PrairieLearn makes one, with the grader's code and
    its libraries mounted; its output (it must succeed, or exit 1: graded, not full marks)."""
    mounts = [f"{ROOT}:/zombielab:ro", f"{SITE}:/site:ro"] + ([f"{grade}:/grade"] if grade else [])
    argv = ["docker", "run", "--rm", "--network", "none", "--memory", "2g", "--pids-limit", "1024",
            "--user", "0:0", "-e", "PYTHONPATH=/zombielab:/site",
            "-w", "/zombielab", *[flag for m in mounts for flag in ("-v", m)], IMAGE, *command]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr + done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def grade_inside(lab_name: str, grade: Path, only: list[str] = ()) -> tuple[dict, str]:
    """Grade grade/student as the platform's entrypoint would: results.json, and what the
    grader printed, then how many processes of the learner's were left."""
    (grade / "results").mkdir()
    only_args = " ".join(f"--only {file}" for file in only)
    script = (f"python3 -m grader grade --engine-free {lab_name} /grade/student {only_args} "
              f"--json /grade/results/results.json; echo {LEFT}$(ps -o pid= -u 1000 | wc -l)")
    output = inside_platform("sh", "-c", script, grade=grade)
    return json.loads((grade / "results" / "results.json").read_text()), output


def test_the_environment_says_what_a_platform_container_allows(client):
    output = inside_platform("python3", "-m", "grader", "environment")
    for line in ["Docker engine:        none", "new namespaces:       refused",
                 "first namespaces:     no (in a container)", "PID 1:                tini",
                 "own pids limit:       1024", "process recorder:     cannot run",
                 "backend:              engine-free"]:
        assert line in output, output


def references() -> list:
    return [pytest.param(name, language, id=f"{name}/{language.name}")
            for name in labspec.available()
            for language in corpus.languages(labspec.load(name))]


@pytest.mark.parametrize("lab_name, language", references())
def test_each_reference_passes_what_is_judged_and_the_rest_says_why(client, tmp_path, lab_name,
                                                                     language):
    corpus.reference(labspec.load(lab_name), tmp_path / "student", language)
    results, output = grade_inside(lab_name, tmp_path)
    assert f"{LEFT}0" in output
    assert "engine-free" in results["extra_data"]["backend"]
    for test in results["tests"]:
        if test["max_score"] == 0:
            assert test["status"] == "passed" and "skipped: " in test["output"], test
        else:
            assert test["status"] == "passed" and test["score"] == test["max_score"], test
    assert results["score"] == results["max_score"]


def judged_faulty_cases() -> list:
    """The wrong solutions whose checks the engine-free backend judges (none of them needs
    what it lacks)."""
    cases = []
    for name in labspec.available():
        judged = set()
        for exercise in labspec.load(name).spec.exercises:
            if not any(set(check.needs) & labspec.RUN_NEEDS for check in exercise.checks):
                judged |= {check.id for check in exercise.checks if not check.needs}
        cases += [case for case in faulty_cases(name) if case_fails(case.values[1]) <= judged]
    return cases


@pytest.mark.parametrize("lab_name, case", judged_faulty_cases())
def test_each_wrong_solution_fails_exactly_its_checks(client, tmp_path, lab_name, case):
    lab = labspec.load(lab_name)
    target, files, must_fail = faulty_submission(lab, case, tmp_path)
    target.rename(tmp_path / "student")
    results, output = grade_inside(lab_name, tmp_path, files)
    assert f"{LEFT}0" in output
    failed = {test["name"] for test in results["tests"] if test["status"] == "failed"}
    names = {f"{e.file}: {c.name}" for e in lab.spec.exercises for c in e.checks if c.id in must_fail}
    assert failed == names, output
