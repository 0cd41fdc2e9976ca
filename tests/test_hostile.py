"""Hostile submissions (tests/hostile/<case>/zombie.py or zombie.c) graded through the real engine.

A case takes the place of a lab's first program exercise, in its own language, beside the reference's files for the
rest: each gets its zero with a plain reason, in bounded time, without an infrastructure error;
the submission's next exercise still gets full marks (the grader cleaned up after the case, or
started afresh); a good submission graded beside the corpus loses nothing; and the host is as it
was: its kernel settings, no learner process or zombie, no container, volume or network, and no
connection reached it. Every lab grades the whole corpus as one batch (as a course grades a
class); in Lab 3's, where the reason for each case is known, it is checked word for word."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, settled_zombies
from grader import corpus, labspec
from grader.batch import default_workers

# Fork bombs and floods load the machine, and the host is compared before and after: alone.
pytestmark = pytest.mark.exclusive

HOSTILE = Path(__file__).parent / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())
HOST_SETTINGS = [Path("/proc/sys/kernel/pid_max"), Path("/proc/sys/kernel/core_pattern")]
LISTEN_PORT = 48151         # where opens-network tries to reach the host
PADDED_MB = {"huge-submission": 50, "c-huge-source": 50}
CONTAINER_CGROUP = re.compile(r"docker[/-]([0-9a-f]{64})")

LAB3 = labspec.load("lab3")
SINGLE_TIME_BOUND = 90      # seconds to grade one case and the next exercise: the reference takes ~10
TIMED_OUT = 'did not print "zombie <pid>" within 5 s'
EXITED = 'exited with status 1 before printing "zombie <pid>"'

# What Lab 3's report must say of each: the reason the hostile exercise got nothing.
REASONS = {
    "fork-bomb": "fork failed",             # and at which limit
    "memory-bomb": "MiB memory limit",
    "output-flood": "printed more than 1024 KB; output cut there",
    "fake-grader-output": "no process has that PID",
    "sleeps-forever": TIMED_OUT,
    "spins-forever": TIMED_OUT,
    "ignores-signals": TIMED_OUT,
    "kills-everything": TIMED_OUT,
    "closes-output": TIMED_OUT,
    "leaves-daemon": "exited with status 0 before printing",
    "tries-root": "is not a child of zombie.py",
    "not-utf-8": "Non-UTF-8 code",
    "opens-network": EXITED,
    "reads-other-submissions": EXITED,
    "writes-grader-files": EXITED,
    "huge-submission": "zombie.py was not accepted: it is 50.0 MB",
    "symlink-outside": "zombie.py was not accepted: links are not submitted",
    "fills-disk": "exited with status 1 before printing",
    # A C fork bomb can starve docker exec itself: then the watchdog halts the exercise.
    "c-fork-bomb": ("fork failed", "the grader stopped its containers"),
    "c-memory-bomb": "MiB memory limit",
    "c-output-flood": "printed more than 1024 KB; output cut there",
    "c-includes-dev-zero": "the compiler was stopped",
    "c-compiler-bomb": "the compiler was stopped",
    "c-huge-source": "zombie.c was not accepted: it is 50.0 MB",
}


def reasons(case: str) -> tuple[str, ...]:
    return REASONS[case] if isinstance(REASONS[case], tuple) else (REASONS[case],)


def exercise_files(lab: labspec.Lab) -> tuple[str, str | None]:
    """The file a case replaces (the lab's first Python exercise) and the one graded after it
    to show the submission's other work still counts (None if the lab has only one)."""
    files = [e.file for e in lab.spec.exercises]
    target = next(f for f in files if f.endswith(".py"))
    rest = [f for f in files if f != target]
    return target, rest[0] if rest else None


def points(lab: labspec.Lab, file: str) -> int:
    return sum(c.points for e in lab.spec.exercises if e.file == file for c in e.checks)


def hostile_submission(lab: labspec.Lab, case: str, folder: Path) -> Path:
    """The lab's reference with the case in the place of its first Python exercise, in the
    case's language (zombie.c answers mini_init.py as mini_init.c)."""
    target, _ = exercise_files(lab)
    corpus.reference(lab, folder)
    (folder / target).unlink()
    source = next((HOSTILE / case).glob("zombie.*"))
    answer = folder / (Path(target).stem + source.suffix)
    shutil.copy(source, answer, follow_symlinks=False)
    if case in PADDED_MB:   # too big to keep in the repository
        with open(answer, "a") as f:
            f.write(("/" * 1022 + "\n" if source.suffix == ".c" else "#" * 1023 + "\n")
                    * (PADDED_MB[case] * 1024))
    return folder


def scores_by_file(results: dict) -> dict[str, int]:
    scores = {}
    for test in results["tests"]:
        file = test["name"].split(":")[0]
        scores[file] = scores.get(file, 0) + test["score"]
    return scores


def lost(results: dict, besides: str | None = None) -> str:
    """What each check that lost points observed (but for the file `besides`): the failure's
    story in full (pytest cuts an assertion's message short; not pytest.fail's)."""
    return "\n".join(f"{test['name']}: {test['output']}" for test in results["tests"]
                     if test["score"] < test["max_score"] and not test["name"].startswith(f"{besides}:"))


def orphaned_container_processes(client) -> dict[int, str]:
    """Host processes still in the cgroup of a container the engine no longer has: what a
    daemon escaping its container's removal would be. (Other graders' live containers are
    theirs.)"""
    existing = {c.id for c in client.containers.list(all=True, sparse=True)}
    orphans = {}
    for entry in Path("/proc").iterdir():
        try:
            found = CONTAINER_CGROUP.search((entry / "cgroup").read_text()) if entry.name.isdigit() else None
        except OSError:
            continue    # ended meanwhile
        if found and found.group(1) not in existing:
            orphans[int(entry.name)] = found.group(1)[:12]
    return orphans


@pytest.fixture
def host_untouched(client):
    """Listens where opens-network knocks, and asserts afterwards that the host is as it was."""
    knocks = []
    tcp = socket.create_server(("", LISTEN_PORT), reuse_port=True)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("", LISTEN_PORT))
    for sock in (tcp, udp):
        sock.settimeout(0.2)

    def listen(stop):
        while not stop.is_set():
            for receive in (tcp.accept, lambda: udp.recvfrom(64)):
                try:
                    knocks.append(receive()[1])
                except OSError:
                    pass
    stop = threading.Event()
    listener = threading.Thread(target=listen, args=(stop,), daemon=True)
    listener.start()
    settings = [path.read_text() for path in HOST_SETTINGS]
    volumes = {v.id for v in client.volumes.list()}
    networks = {n.id for n in client.networks.list()}

    yield

    stop.set()
    listener.join()
    tcp.close()
    udp.close()
    assert knocks == [], f"learner code reached the host: {knocks}"
    assert [path.read_text() for path in HOST_SETTINGS] == settings
    deadline = time.monotonic() + 10   # the kernel may take a moment to end a cgroup's last
    while orphaned_container_processes(client) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert orphaned_container_processes(client) == {}, "processes outlived their container"
    assert settled_zombies() == {}
    assert {v.id for v in client.volumes.list()} == volumes
    assert {n.id for n in client.networks.list()} == networks


def test_every_case_has_a_reason():
    assert sorted(REASONS) == CASES


@pytest.mark.parametrize("lab_name", labspec.available())
def test_a_batch_of_the_corpus_beside_good_submissions(tmp_path, host_untouched, lab_name):
    """The whole corpus and two good students in one batch, with the lab's default graders
    side by side (default_workers: two on this 2-core machine): a fork bomb or a flood in one
    grader's container must not cost anyone else a point, and each case gets its zero for a
    reason said in words, in bounded time."""
    lab = labspec.load(lab_name)
    target, rest = exercise_files(lab)
    graded = [target] + ([rest] if rest else [])
    klass, out = tmp_path / "class", tmp_path / "RESULTS"
    klass.mkdir()
    good = ["good-1", "good-2"]
    for student in good:
        corpus.reference(lab, klass / student)
    for case in CASES:
        hostile_submission(lab, case, klass / case)

    # Bounded: each student's exercises within their own time limits, the default graders at
    # a time (the batch is run without --workers).
    bound = (sum(e.timeout for e in lab.spec.exercises if e.file in graded) * len(CASES)
             / default_workers(lab) + 300)
    only = [arg for file in graded for arg in ("--only", file)]
    run = subprocess.run([sys.executable, "-m", "grader", "batch", lab_name, klass, "--out", out,
                          *only], cwd=ROOT, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=bound)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    full = {file: points(lab, file) for file in graded}
    results = {p.parent.name: json.loads(p.read_text()) for p in (out / "gradescope").glob("*/results.json")}
    assert sorted(results) == sorted(good + CASES)
    for student, result in results.items():
        scores = scores_by_file(result)
        if student in good:
            if scores != full:
                pytest.fail(f"{student} lost points:\n{lost(result)}")
            continue
        if scores != {**full, target: 0}:
            pytest.fail(f"{student} {scores}:\n{lost(result, besides=target)}")
        case = [test["output"] for test in result["tests"] if test["name"].startswith(f"{target}:")]
        assert all("observed: " in said for said in case), (student, case)   # a reason, in words
        if lab_name == LAB3.name:   # where each case's reason is known word for word
            assert any(reason in "\n".join(case) for reason in reasons(student)), (student, case)
        assert result["execution_time"] < SINGLE_TIME_BOUND, student
        # Learner output is shown made printable: no escape sequence reaches a results file.
        assert "\x1b" not in "".join(test["output"] for test in result["tests"])
    assert not (out / "ungradable").exists() or not os.listdir(out / "ungradable")
