"""Grading with no Docker engine, as the platforms run it, with what `zombielab package` makes.

PrairieLearn: its external grading image, each job run as its grader host runs one (root,
Docker's default capabilities and seccomp profile, network off, 2 GiB, 1024 PIDs, no core
dumps, /grade mounted, the entrypoint as the container's first process). Gradescope: its
autograder zip unpacked into /autograder/source of a Debian image, setup.sh run as root when
the image is built, then run_autograder as root for each submission.

The grader runs there as root; each learner program as uid 1000 under rlimits; the probe's
/proc polls stand in for the kernel's record. A check that needs more is skipped, with the
reason; every other check judges as under Docker: each reference passes it, each wrong solution
fails exactly the checks it names."""
import fcntl
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from conftest import case_fails, faulty_cases, faulty_submission
from platform_formats import valid_gradescope, valid_prairielearn
from test_hostile import CASES, exercise_files, hostile_submission
from grader import corpus, feedback, labspec, platforms

IMAGE = "zombielab/prairielearn-test"
GRADESCOPE_IMAGE = "zombielab/gradescope-test"
# Gradescope's base images have unzip and python3; the debootstrapped base has neither. They,
# and what setup.sh installs, come first, in a layer of their own that the next build reuses.
GRADESCOPE_DOCKERFILE = """\
FROM zombielab/debian:bookworm
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \\
    --no-install-recommends unzip python3 procps tini gcc libc6-dev >/dev/null
COPY lab3-autograder.zip /tmp/autograder.zip
RUN mkdir -p /autograder/source /autograder/results \\
 && unzip -q /tmp/autograder.zip -d /autograder/source \\
 && cp /autograder/source/run_autograder /autograder/run_autograder \\
 && bash /autograder/source/setup.sh
"""
PL_FLAGS = ["--network", "none", "--memory", "2g", "--memory-swap", "2g", "--pids-limit", "1024",
            "--ulimit", "core=0", "--ipc", "private", "-t"]
SITE = "PYTHONPATH=/opt/zombielab/root:/opt/zombielab/site"


def made_once(tmp_path_factory, name: str, make) -> Path:
    """A folder that make(folder) fills once per session for every test worker (the others
    wait): pytest-xdist's workers share the parent of their own temporary folders."""
    base = tmp_path_factory.getbasetemp()
    out = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    out.mkdir(exist_ok=True)
    with open(out / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "made").exists():
            make(out)
            (out / "made").touch()
    return out


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """PrairieLearn's image, and every lab's question folder."""
    def make(out: Path) -> None:
        first, *others = labspec.available()
        platforms.prairielearn(first, out, IMAGE)
        for name in others:
            platforms.question(labspec.load(name), out, IMAGE)
    return made_once(tmp_path_factory, "prairielearn", make)


@pytest.fixture(scope="session")
def gradescope_image(tmp_path_factory) -> str:
    """Lab 3's autograder built into an image as Gradescope builds one."""
    def make(out: Path) -> None:
        platforms.gradescope("lab3", out)
        (out / "Dockerfile").write_text(GRADESCOPE_DOCKERFILE)
        subprocess.run(["docker", "build", "-q", "-t", GRADESCOPE_IMAGE, str(out)],
                       check=True, capture_output=True, timeout=600)
    made_once(tmp_path_factory, "gradescope", make)
    return GRADESCOPE_IMAGE


def gradescope_job(image: str, autograder: Path) -> tuple[dict | None, str]:
    """Gradescope's run of one submission (autograder/submission): results.json, if written,
    and what run_autograder printed."""
    (autograder / "results").mkdir()
    argv = ["docker", "run", "--rm", "--memory", "2g", "-v",
            f"{autograder / 'submission'}:/autograder/submission",
            "-v", f"{autograder / 'results'}:/autograder/results", image, "/autograder/run_autograder"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    results = autograder / "results" / "results.json"
    return ((valid_gradescope(json.loads(results.read_text())) if results.exists() else None),
            done.stdout + done.stderr)


# After the job, in its container: the processes of anyone but root, running or zombies.
LEFT_BEHIND = 'echo "left behind: $(ps -e -o uid=,stat= | grep -cv "^ *0 ")"'


def run_job(grade: Path, lab_name: str, count_leftovers: bool = False) -> tuple[dict, str]:
    """A grading job as PrairieLearn runs one (its entrypoint, info.json's, as the container's
    first process, which must exit 0): results.json, and what the container printed. To count
    what the job left behind in its container, tini is PID 1 there and the entrypoint its
    child, which runs its own tini: the same reaping init for the learner's orphans."""
    job = ["--entrypoint", platforms.ENTRYPOINT, IMAGE, lab_name]
    if count_leftovers:
        job = ["--entrypoint", "/usr/bin/tini", IMAGE, "--", "sh", "-c",
               f'{platforms.ENTRYPOINT} "$1" && sleep 1 && {LEFT_BEHIND}', "job", lab_name]
    argv = ["docker", "run", "--rm", *PL_FLAGS, "-v", f"{grade}:/grade", *job]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    assert not count_leftovers or "left behind: 0" in done.stdout, done.stdout
    assert "Traceback" not in done.stdout + done.stderr, done.stdout
    return valid_prairielearn(json.loads((grade / "results" / "results.json").read_text())), done.stdout


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


def question_job(artifacts: Path, folder: Path, change) -> tuple[dict, str]:
    """A job of Lab 3's question whose tests/lab.yaml the course changed (change(spec)), for
    the reference's zombie.py alone."""
    spec = yaml.safe_load((artifacts / "questions" / "lab3" / "tests" / "lab.yaml").read_text())
    change(spec)
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "lab.yaml").write_text(yaml.safe_dump(spec))
    corpus.reference(labspec.load("lab3"), folder / "reference")
    (folder / "student").mkdir()
    (folder / "reference" / "zombie.py").rename(folder / "student" / "zombie.py")
    return run_job(folder, "lab3")


def test_the_questions_lab_yaml_sets_the_points_and_one_that_does_not_fit_is_not_gradable(
        artifacts, tmp_path):
    lab = labspec.load("lab3")
    zombie = lab.spec.exercises[0]
    first = zombie.checks[0]

    def double_the_first(spec):
        spec["exercises"][0]["checks"][0]["points"] *= 2
    results, output = question_job(artifacts, tmp_path / "doubled", double_the_first)
    assert [(t["points"], t["max_points"]) for t in results["tests"]
            if t["name"] == f"{zombie.file}: {first.name}"] == [(2 * first.points,) * 2], output

    def rename_the_first(spec):
        spec["exercises"][0]["checks"][0]["id"] = "no-such-check"
    results, output = question_job(artifacts, tmp_path / "renamed", rename_the_first)
    assert results["gradable"] is False and first.id in results["message"], results


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


def judged_checks(lab: labspec.Lab) -> set[str]:
    """The checks the engine-free backend judges (it offers none of labspec's NEEDS)."""
    return {check for exercise in lab.spec.exercises for check in exercise.judged(frozenset())}


def keep_only(lab: labspec.Lab, submission: Path, exercises: list[str]) -> None:
    """Take the files of every other exercise out of the submission: a job then grades those
    as missing, at once."""
    for exercise in lab.spec.exercises:
        if exercise.file not in exercises:
            for name in corpus.alternatives(exercise.file):
                (submission / name).unlink(missing_ok=True)


def judged_faulty_cases() -> list:
    """The wrong solutions that fail a check the engine-free backend judges."""
    cases = []
    for name in labspec.available():
        judged = judged_checks(labspec.load(name))
        cases += [case for case in faulty_cases(name) if case_fails(case.values[1]) & judged]
    return cases


@pytest.mark.parametrize("lab_name, case", judged_faulty_cases())
def test_each_wrong_solution_fails_exactly_its_judged_checks(artifacts, tmp_path, lab_name, case):
    """Only the exercises the case changes are submitted (the job grades the rest as missing,
    at once): of their checks, it fails those it must that are judged here."""
    lab = labspec.load(lab_name)
    target, changed, must_fail = faulty_submission(lab, case, tmp_path)
    keep_only(lab, target, changed)
    target.rename(tmp_path / "student")
    results, output = run_job(tmp_path, lab_name)
    graded = [test for test in results["tests"] if test["name"].split(": ")[0] in changed]
    failed = {test["name"] for test in graded if test["points"] < test["max_points"]}
    names = {f"{e.file}: {c.name}" for e in lab.spec.exercises for c in e.checks
             if c.id in must_fail & judged_checks(lab)}
    assert failed == names, output


def test_a_job_that_cannot_be_graded_is_not_gradable_and_counts_no_attempt(artifacts, tmp_path):
    results, output = run_job(tmp_path, "lab3")   # no /grade/student at all
    assert results["gradable"] is False, results
    assert results["message"].startswith("error: "), results


@pytest.mark.parametrize("language", corpus.languages(labspec.load("lab3")), ids=lambda l: l.name)
def test_gradescope_grades_the_reference_in_full_where_judged(gradescope_image, tmp_path, language):
    corpus.reference(labspec.load("lab3"), tmp_path / "submission", language)
    results, output = gradescope_job(gradescope_image, tmp_path)
    assert results is not None, output
    assert results["score"] == feedback.max_score(results) > 0, output
    assert "engine-free" in results["extra_data"]["backend"]
    assert all(t["status"] == "passed" for t in results["tests"]), output


def gradescope_cases() -> list:
    """One of Lab 3's wrong solutions judged without an engine per exercise: the backend is
    PrairieLearn's, tested above; this is its packaging for Gradescope."""
    lab = labspec.load("lab3")
    file_of = {c.id: e.file for e in lab.spec.exercises for c in e.checks}
    cases, seen, judged = [], set(), judged_checks(lab)
    for case in faulty_cases("lab3"):
        if case_fails(case.values[1]) <= judged:
            file = file_of[next(iter(case_fails(case.values[1])))]
            if file not in seen:
                seen.add(file)
                cases.append(case)
    return cases


@pytest.mark.parametrize("lab_name, case", gradescope_cases())
def test_gradescope_fails_a_wrong_solution_on_exactly_its_checks(gradescope_image, tmp_path,
                                                                 lab_name, case):
    lab = labspec.load(lab_name)
    target, _, must_fail = faulty_submission(lab, case, tmp_path)
    results, output = gradescope_job(gradescope_image, tmp_path)
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    assert failed == {f"{e.file}: {c.name}" for e in lab.spec.exercises for c in e.checks
                      if c.id in must_fail}, output


@pytest.mark.parametrize("platform", ["prairielearn", "gradescope"])
def test_the_learner_cannot_read_the_reference_solutions(artifacts, gradescope_image, platform):
    image, path = ((IMAGE, "/opt/zombielab/root/labs/lab3/solution/zombie.py")
                   if platform == "prairielearn" else
                   (gradescope_image, "/autograder/source/zombielab/labs/lab3/solution/zombie.py"))
    done = subprocess.run(["docker", "run", "--rm", "--entrypoint", "setpriv", image,
                           "--reuid=1000", "--regid=1000", "--clear-groups", "cat", path],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "Permission denied" in done.stderr, done.stdout[:200]


# What a platform's container must survive without an engine: bombs held by the learner uid's
# rlimits (a fork bomb by RLIMIT_NPROC, before it takes the PIDs the grader shares with it),
# programs that kill(-1), write where results go, look for the reference, or leave a daemon.
# The cases that aim at the machine, not at the exercise, are graded beside the reference's other
# programs, which must keep full marks; the others come alone, so as to cost one exercise.
BESIDE_THE_REST = ["fork-bomb", "c-fork-bomb", "memory-bomb", "kills-everything",
                   "writes-grader-files", "reads-other-submissions", "leaves-daemon"]


@pytest.mark.exclusive
def test_hostile_submissions_get_a_plain_zero_and_the_rest_is_graded(artifacts, tmp_path):
    """Each case of the hostile corpus in the place of zombie.py, graded as PrairieLearn grades
    a job, three at once: a zero on zombie.py's judged checks, full marks on the rest where
    they are submitted, results the grader wrote, exit 0 (run_job), in bounded time; and for
    those that aim at the machine, nothing of the learner's left in the job's container."""
    lab = labspec.load("lab3")
    target, _ = exercise_files(lab)

    def grade(case: str) -> tuple[str, dict, str]:
        folder = tmp_path / case
        hostile_submission(lab, case, folder / "student")
        if case not in BESIDE_THE_REST:
            keep_only(lab, folder / "student", [target])
        return (case, *run_job(folder, "lab3", count_leftovers=case in BESIDE_THE_REST))

    with ThreadPoolExecutor(3) as pool:
        graded = list(pool.map(grade, BESIDE_THE_REST + sorted(set(CASES) - set(BESIDE_THE_REST))))
    for case, results, output in graded:
        assert results["gradable"] and results["message"].startswith(lab.spec.title), (case, output)
        for test in results["tests"]:
            if test["name"].startswith(f"{target}:"):
                assert test["points"] == 0, (case, test)
            elif case in BESIDE_THE_REST:
                assert test["points"] == test["max_points"], (case, output)
