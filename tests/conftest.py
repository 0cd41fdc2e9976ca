"""Shared fixtures: the real engine, submissions built from a lab's folders, and the promise
that the suite leaves no grading container and no zombie behind."""
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import docker
import pytest
import yaml

from grader import corpus, labspec
from grader.grading import grade
from grader.engine import IMAGES, LABEL, OWNER_LABEL
from grader.languages import PYTHON

ROOT = Path(__file__).resolve().parent.parent
# Gradings side by side in a load test (side_by_side), beside the two hogs: seven busy things on
# two cores, a heavier load than any grader puts on its machine, and ten runs in two rounds.
LOADED_AT_ONCE = 5


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, command name) for every process on the host."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,stat=,comm="], capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        pid, ppid, stat, comm = line.split(None, 3)
        table[int(pid)] = (int(ppid), stat, comm)
    return table


def ours(pid: int, table) -> bool:
    """A process of this test session's tree, or a container shim (what grading leaves if any)."""
    if table[pid][2].startswith("containerd-shim"):
        return True
    while pid in table and pid > 1:
        if pid == os.getpid():
            return True
        pid = table[pid][0]
    return False


def our_zombies() -> dict[int, str]:
    table = process_table()
    return {pid: f"{comm} (parent {ppid})" for pid, (ppid, stat, comm) in table.items()
            if stat.startswith("Z") and ours(ppid, table)}


def settled_zombies(seconds: float = 5.0) -> dict[int, str]:
    """Zombies of ours that stay: this host's PID 1 reaps a removed container's shim only after a
    second or two."""
    deadline = time.monotonic() + seconds
    while True:
        zombies = our_zombies()
        if not zombies or time.monotonic() > deadline:
            return zombies
        time.sleep(0.25)


def owner_running_elsewhere(container) -> bool:
    """True for a container of another grader still running on this host (a developer's own
    grading beside the suite): not the suite's to answer for. The container comes from a
    sparse list, which inspects none (another grader may remove one meanwhile)."""
    labels = container.attrs.get("Labels") or {}
    host, _, pid = labels.get(OWNER_LABEL, ":").partition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    return Path(f"/proc/{pid}").exists()


@pytest.fixture(scope="session")
def client():
    try:
        engine = docker.from_env()
        engine.ping()
    except docker.errors.DockerException:
        pytest.exit("no Docker engine: run the suite with `make test`, which starts one", returncode=2)
    for image in IMAGES.values():
        try:
            engine.images.get(image)
        except docker.errors.ImageNotFound:
            pytest.exit(f"image {image} is missing: run `make images`", returncode=2)
    return engine


@pytest.fixture(scope="session", autouse=True)
def fresh_cache(tmp_path_factory):
    """Results the grader keeps between gradings (grader/cache.py, tini's Lab 4 battery) are
    made afresh by each run of the suite, then reused as on a course's machine."""
    os.environ["ZOMBIELAB_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    del os.environ["ZOMBIELAB_CACHE"]


def pytest_configure(config):
    config.addinivalue_line("markers", "exclusive: loads the machine on purpose, or changes the "
                                       "host's engine state: `make test` runs these alone, after "
                                       "the rest has run in parallel")


def pytest_sessionfinish(session):
    """The suite leaves no grading container and no zombie behind: checked once every test has
    ended (under pytest-xdist, by the controller once its workers are done)."""
    if hasattr(session.config, "workerinput"):
        return
    try:
        engine = docker.from_env()
        left = [c.attrs["Names"][0].lstrip("/")
                for c in engine.containers.list(all=True, filters={"label": LABEL}, sparse=True)
                if not owner_running_elsewhere(c)]
    except docker.errors.DockerException:
        return   # the suite said so already
    problems = ([f"grading containers left behind: {left}"] if left else []) + \
        ([f"the suite left zombie processes on the host: {zombies}"]
         if (zombies := settled_zombies()) else [])
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            reporter.write_line(f"FAILED after the tests: {problem}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def faulty_cases(lab_name: str) -> list:
    """Every wrong solution of a lab: the buggy corpus (a patch against the reference, one
    classic mistake each) and the spoofs of tests/spoofs (whole programs that only pretend)."""
    buggy = corpus.patches(labspec.load(lab_name))
    spoofs = sorted((ROOT / "tests" / "spoofs" / lab_name).glob("*/*/bug.yaml"))
    return ([pytest.param(lab_name, p, id=f"{lab_name}/buggy/{p.parent.name}/{p.stem}")
             for p in buggy] +
            [pytest.param(lab_name, b.parent,
                          id=f"{lab_name}/spoof/{b.parent.parent.name}/{b.parent.name}")
             for b in spoofs])


def faulty_submission(lab: labspec.Lab, case: Path, folder: Path) -> tuple[Path, list[str], set[str]]:
    """The reference, in the case's language, with the case applied: (submission folder, the
    exercises it changes, checks it must fail). A case is a patch, or a folder of files (a
    spoof, or an unusual solution)."""
    target = folder / "submission"
    if case.suffix == ".patch":
        files = corpus.patched(lab, case, target)
    else:
        files = [p.name for p in case.iterdir() if p.name not in ("bug.yaml", "why.yaml")]
        corpus.reference(lab, target, corpus.case_language(files))
        for name in files:
            shutil.copy(case / name, target / name)
    return target, corpus.exercises(lab, files), case_fails(case)


def case_fails(case: Path) -> set[str]:
    """The checks a buggy patch or a spoof folder must fail (an unusual solution: none)."""
    if case.suffix == ".patch":
        return corpus.fails(case)
    if (case / "why.yaml").exists():
        return set()
    return set(yaml.safe_load((case / "bug.yaml").read_text())["fails"])


def failed_checks(result) -> set[str]:
    return {r.id for r in result.results if not r.passed}


def grade_reference(client, lab_name: str, folder: Path, only=None, language=PYTHON):
    lab = labspec.load(lab_name)
    target = corpus.reference(lab, folder / "submission", language)
    return grade(lab, target, only=only, client=client)


def grade_faulty(client, lab_name: str, case: Path, folder: Path):
    """Grade a wrong solution's exercises; returns (grade, checks it must fail)."""
    lab = labspec.load(lab_name)
    target, files, fails = faulty_submission(lab, case, folder)
    return grade(lab, target, only=files, client=client), fails


def side_by_side(count: int, run) -> list:
    """run(i) for each i in range(count), LOADED_AT_ONCE at a time; the results in order. A
    load test's gradings run beside each other as well as beside the hogs: a heavier load than
    one at a time, in a fraction of the time."""
    with ThreadPoolExecutor(LOADED_AT_ONCE) as pool:
        return list(pool.map(run, range(count)))


class UnderLoad:
    """A load test's gradings, made a group at a time: the first of a group's tests to ask
    grades the runs of every selected test of the group (the tests of its file using the
    fixture that made it), LOADED_AT_ONCE at a time beside one set of hogs, so that no test
    waits for its slowest run before the next test's begin. grade(params, folder) makes one
    run of a test with those parameters; group(params) names its group. A run that raised
    raises again in its own test."""

    def __init__(self, request, runs: int, grade, group=lambda params: None):
        self.session, self.fixture, self.runs = request.session, request.fixturename, runs
        self.module = request.module   # another test file may have a fixture of the same name
        self.grade, self.group = grade, group
        self.folders = request.getfixturevalue("tmp_path_factory")
        self.outcomes: dict[str, list] = {}   # test id: its runs' results, or what they raised

    def results(self, test) -> list:
        """The results of `test`'s (a pytest item's) runs, in order."""
        if test.nodeid not in self.outcomes:
            self._grade_group(self.group(test.callspec.params))
        for outcome in self.outcomes[test.nodeid]:
            if isinstance(outcome, Exception):
                raise outcome
        return self.outcomes[test.nodeid]

    def _grade_group(self, group) -> None:
        tests = [item for item in self.session.items if item.module is self.module
                 and self.fixture in item.fixturenames and self.group(item.callspec.params) == group]
        runs = [test for test in tests for _ in range(self.runs)]
        folder = self.folders.mktemp("under-load")

        def attempt(index: int):
            try:
                return self.grade(runs[index].callspec.params, folder / str(index))
            except Exception as exc:
                return exc
        with busy_cores():
            outcomes = side_by_side(len(runs), attempt)
        for test, outcome in zip(runs, outcomes):
            self.outcomes.setdefault(test.nodeid, []).append(outcome)


@contextmanager
def busy_cores(count: int = 2):
    """CPU hogs on the host, as a parallel test or a neighbour's job would be."""
    # setpriv: a hog ends with the test run, however it ends (a SIGTERM skips `finally`).
    hogs = [subprocess.Popen(["setpriv", "--pdeathsig", "KILL", sys.executable, "-c", "while True: pass"])
            for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
