"""`python -m grader batch` as course staff run it: a class of mixed submissions on the real
engine, locally and on a real Dask cluster on loopback; kill -9 and resume; the exports.

Grading is limited to zombie.py (a few seconds a submission) to keep the module quick."""
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, case_fails, process_table
from platform_formats import valid_gradescope, valid_prairielearn
from grader import corpus, feedback, labspec
from grader.batch import default_workers
from grader.errors import ENGINE_DOWN
from grader.engine import LABEL, OWNER_LABEL, engine_answers

LAB = labspec.load("lab3")
ZOMBIE = next(e for e in LAB.spec.exercises if e.file == "zombie.py")
ZOMBIE_MAX = sum(c.points for c in ZOMBIE.checks)
BUGGY = {"buggy-two": "one-zombie/two-zombies.patch",
         "buggy-own-pid": "zombie-is-child/prints-own-pid.patch"}


def batch(*args, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "batch", "lab3", *map(str, args)],
                          cwd=ROOT, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def expected_failures(student: str) -> set[str]:
    """The checks of zombie.py a student of the class must fail."""
    if student in BUGGY:
        return case_fails(LAB.folder / "buggy" / BUGGY[student])
    if student in ("broken", "empty", "oversized", "linked"):
        return {c.id for c in ZOMBIE.checks}
    return set()


def check_id(test_name: str) -> str:
    return next(c.id for c in ZOMBIE.checks if test_name == f"zombie.py: {c.name}")


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Eight students: two correct, two classic mistakes, a syntax error, an empty folder, a
    zombie.py too big to accept (sparse: 6 MB of nothing) and one that is a link."""
    root = tmp_path_factory.mktemp("class")
    for student in ("good-1", "good-2", *BUGGY, "broken"):
        corpus.reference(LAB, root / student)
    for student, patch in BUGGY.items():
        subprocess.run(["git", "apply", str(LAB.folder / "buggy" / patch)], cwd=root / student,
                       check=True)
    (root / "broken" / "zombie.py").write_text("import os\n\ndef zombie(:\n    pass\n")
    (root / "empty").mkdir()
    for student in ("oversized", "linked"):
        corpus.reference(LAB, root / student)
        (root / student / "zombie.py").unlink()
    with open(root / "oversized" / "zombie.py", "wb") as sparse:
        sparse.truncate(6 * 2**20)
    (root / "linked" / "zombie.py").symlink_to(LAB.folder / "solution" / "zombie.py")
    return root


def gradescope_results(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in (out / "gradescope").glob("*/results.json")}


def assert_graded_correctly(out: Path, klass: Path) -> None:
    results = gradescope_results(out)
    assert set(results) == {p.name for p in klass.iterdir()}
    for student, data in results.items():
        failed = {check_id(t["name"]) for t in data["tests"] if t["status"] == "failed"}
        assert failed == expected_failures(student), (student, data)
        assert feedback.max_score(data) == ZOMBIE_MAX
        valid_gradescope(data)
        assert data["score"] == sum(t["score"] for t in data["tests"])
    assert not (out / "ungradable").exists() or not list((out / "ungradable").iterdir())


@pytest.fixture(scope="module")
def local_run(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "RESULTS"
    started = time.monotonic()
    result = batch(klass, "--out", out, "--only", "zombie.py", "--workers", "2")
    return result, out, time.monotonic() - started


# --- grading a class ----------------------------------------------------------------------
def test_mixed_class_is_graded_correctly(local_run, klass):
    result, out, _ = local_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_graded_correctly(out, klass)
    broken = gradescope_results(out)["broken"]
    assert all("syntax error at line 3" in t["output"] for t in broken["tests"])
    assert all("was not accepted: it is 6.0 MB" in t["output"]
               for t in gradescope_results(out)["oversized"]["tests"])
    assert all("was not accepted: links are not submitted" in t["output"]
               for t in gradescope_results(out)["linked"]["tests"])
    assert "graded 8 of 8" in result.stdout
    assert "8/8" in result.stderr, "the progress bar should reach done/total"
    assert "full marks 25%" in result.stderr, "the bar shows the pass rate so far"


def test_rerun_grades_nothing_again(local_run, klass):
    _, out, _ = local_run
    stamps = {p: p.stat().st_mtime_ns for p in (out / "gradescope").glob("*/results.json")}
    result = batch(klass, "--out", out, "--only", "zombie.py")
    assert result.returncode == 0, result.stderr
    assert "8 already graded, 0 to grade" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_resume_with_other_exercises_is_refused(local_run, klass):
    _, out, _ = local_run
    result = batch(klass, "--out", out, "--only", "reaper.py")
    assert result.returncode == 2
    assert "use another --out, or --regrade" in result.stderr


# --- exports ------------------------------------------------------------------------------
def test_csv_gradebook(local_run):
    _, out, _ = local_run
    with (out / "gradebook.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student ID", "Total", *[f"zombie.py: {c.name}" for c in ZOMBIE.checks]]
    by_student = {row[0]: row for row in rows[1:]}
    assert len(by_student) == len(rows) - 1 == 8, "each student exactly once"
    for student, row in by_student.items():
        points = [int(cell) for cell in row[2:]]
        assert int(row[1]) == sum(points)
        failed = {c.id for c, p in zip(ZOMBIE.checks, points) if p == 0}
        assert failed == expected_failures(student)


def test_prairielearn_and_gradescope_json(local_run):
    _, out, _ = local_run
    gradescope = gradescope_results(out)
    for student, gs in gradescope.items():
        assert set(gs) == {"score", "execution_time", "output", "tests", "extra_data"}
        pl = valid_prairielearn(json.loads((out / "prairielearn" / student / "results.json").read_text()))
        assert set(pl) == {"gradable", "score", "message", "tests", "images"}
        assert pl["gradable"] is True
        assert pl["score"] == pytest.approx(gs["score"] / feedback.max_score(gs)) and 0 <= pl["score"] <= 1
        assert isinstance(pl["message"], str) and pl["message"]
        for pt, gt in zip(pl["tests"], gs["tests"], strict=True):
            assert set(pt) - {"images"} == {"name", "points", "max_points", "output"}
            # an image is the run a check failed in (a file that never ran has none)
            assert "images" not in pt or pt["points"] < pt["max_points"]
            assert (pt["name"], pt["points"], pt["max_points"]) == (gt["name"], gt["score"], gt["max_score"])
    assert json.loads((out / "prairielearn" / "good-1" / "results.json").read_text())["score"] == 1.0


def test_junit_xml(local_run):
    _, out, _ = local_run
    root = ET.parse(out / "junit.xml").getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert len(suites) == 8
    for student, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == len(ZOMBIE.checks)
        failed = {check_id(c.get("name")) for c in cases if c.find("failure") is not None}
        assert failed == expected_failures(student)
        assert int(suite.get("failures")) == len(failed) and suite.get("errors") == "0"
        assert all(c.get("classname") == student for c in cases)


def test_report_renders(local_run):
    import matplotlib.image
    _, out, _ = local_run
    png = out / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(png).shape
    assert width > 800 and height > 300
    page = (out / "report.html").read_text()
    assert page.startswith("<!doctype html>") and "data:image/png;base64," in page
    # the check the class missed most (two of eight pass it) is listed first
    one_zombie = next(c.name for c in ZOMBIE.checks if c.id == "one-zombie")
    first_row = page.index("<td>", page.index("least passed first"))
    assert page[first_row:].startswith(f"<td>zombie.py: {one_zombie}</td><td>2/8</td>")


def test_export_command_writes_them_again(local_run, tmp_path):
    _, out, _ = local_run
    before = (out / "gradebook.csv").read_text()
    (out / "gradebook.csv").unlink()
    result = subprocess.run([sys.executable, "-m", "grader", "export", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (out / "gradebook.csv").read_text() == before
    result = subprocess.run([sys.executable, "-m", "grader", "export", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "holds no batch results" in result.stderr


# --- kill -9 mid-batch, then resume ---------------------------------------------------------
def containers_of(client, pids) -> list:
    host = socket.gethostname()
    # sparse: no inspect per container, which would fail for one a grader just removed.
    return [c for c in client.containers.list(all=True, filters={"label": LABEL}, sparse=True)
            if (c.attrs.get("Labels") or {}).get(OWNER_LABEL, "").partition(":")[::2]
            in {(host, str(p)) for p in pids}]


def graders_of(batch_pid: int) -> list[int]:
    """The child graders a batch started (grader.graders processes whose parent it was)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"grader.graders" in (proc / "cmdline").read_bytes() and \
                    f"ZOMBIELAB_BATCH_PARENT={batch_pid}".encode() in (proc / "environ").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def test_killed_batch_resumes_with_every_result_once(client, klass, tmp_path):
    out = tmp_path / "RESULTS"
    argv = [sys.executable, "-m", "grader", "batch", "lab3", str(klass), "--out", str(out),
            "--only", "zombie.py", "--workers", "2"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen_graders: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            seen_graders.update(graders_of(proc.pid))
            if gradescope_results(out) and containers_of(client, seen_graders):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the batch ended before it could be killed"
        finished_before = {p: p.stat().st_mtime_ns for p in (out / "gradescope").glob("*/results.json")}
        assert 0 < len(finished_before) < 8
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # Its graders die with it (PR_SET_PDEATHSIG), removing their containers as they go.
    deadline = time.monotonic() + 20
    while graders_of(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert graders_of(proc.pid) == [], "the killed batch's graders outlived it"

    result = batch(klass, "--out", out, "--only", "zombie.py", "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(finished_before)} already graded, {8 - len(finished_before)} to grade" in result.stderr
    assert_graded_correctly(out, klass)
    assert {p: p.stat().st_mtime_ns for p in finished_before} == finished_before, \
        "a student graded before the kill was graded again"
    with (out / "gradebook.csv").open() as f:
        assert sorted(row[0] for row in list(csv.reader(f))[1:]) == sorted(p.name for p in klass.iterdir())
    assert containers_of(client, seen_graders | {proc.pid}) == [], "containers of the killed run remain"
    assert leftovers(out) == [], "an atomic write left its temp file"


# A grader whose cleanup never ends (its main thread stuck, as on a Docker client's connection
# pool left locked): it has made a container, been told to stop, and then hangs.
HUNG_CLEANUP = """
import signal, sys, time
import docker
from grader import graders
from grader.engine import IMAGES, LABEL, OWNER_LABEL, owner
graders.STOP_GRACE = 1
docker.from_env().containers.create(IMAGES["noinit"], labels={LABEL: "", OWNER_LABEL: owner()})
graders.threading.Thread(target=graders._end_overdue, daemon=True).start()   # what SIGTERM starts
print("made", flush=True)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
while True:
    time.sleep(60)
"""


def test_a_stopping_grader_whose_cleanup_hangs_still_ends_and_removes_its_containers(client):
    proc = subprocess.Popen([sys.executable, "-c", HUNG_CLEANUP], cwd=ROOT, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    with ended(proc):
        assert proc.stdout.readline() == "made\n"
        assert proc.wait(timeout=30) == 130
    assert containers_of(client, {proc.pid}) == []


@contextmanager
def ended(proc: subprocess.Popen):
    """The process, killed and reaped when the block ends if it is still running."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def leftovers(out: Path) -> list[Path]:
    """Temporary files of atomic writes (dot files), but the batch lock."""
    return [p for p in out.rglob(".*") if p.name != ".batch.lock"]


# --- one batch per results folder -----------------------------------------------------------
@pytest.fixture
def pair(tmp_path) -> Path:
    """A class of two correct submissions."""
    for student in ("good-1", "good-2"):
        corpus.reference(LAB, tmp_path / "pair" / student)
    return tmp_path / "pair"


def test_a_second_batch_on_the_same_results_is_refused_or_waits(pair, tmp_path):
    out = tmp_path / "RESULTS"
    argv = [sys.executable, "-m", "grader", "batch", "lab3", str(pair), "--out", str(out),
            "--only", "zombie.py", "--workers", "1"]
    with ended(subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)) as first:
        lock = out / ".batch.lock"
        deadline = time.monotonic() + 60
        while f"PID {first.pid} " not in (lock.read_text() if lock.is_file() else ""):
            assert time.monotonic() < deadline and first.poll() is None, "the batch never held RESULTS"
            time.sleep(0.05)
        refused = batch(pair, "--out", out, "--only", "zombie.py")
        assert refused.returncode == 2
        assert refused.stderr.startswith(f"error: {out} is being graded by the batch with PID "
                                         f"{first.pid} on {socket.gethostname()}, started "), refused.stderr
        assert "--wait" in refused.stderr and "Traceback" not in refused.stderr
        waited = batch(pair, "--out", out, "--only", "zombie.py", "--wait")
        assert first.wait(timeout=120) == 0
    assert waited.returncode == 0, waited.stderr
    assert f"waiting for the batch with PID {first.pid}" in waited.stderr
    assert "2 already graded, 0 to grade" in waited.stderr, "the second batch graded again"


# --- a full disk ------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB filesystem: room for a few results and feedback pages, not for the exports'
    picture."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem takes root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_stops_the_batch_plainly_and_keeps_every_result(pair, small_disk):
    out = small_disk / "RESULTS"
    result = batch(pair, "--out", out, "--only", "zombie.py", "--workers", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    message = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(message) == 1 and "no space left for" in message[0], result.stderr
    assert "run the same command again" in message[0]
    assert sorted(gradescope_results(out)) == ["good-1", "good-2"], "a result written was lost"
    assert all(r["score"] == ZOMBIE_MAX for r in gradescope_results(out).values())
    assert leftovers(out) == [], "a half-written file was left"
    assert not (out / "report.png").exists(), "a half-written export was left as if complete"

    subprocess.run(["mount", "-o", "remount,size=10m", str(small_disk)], check=True)
    exported = subprocess.run([sys.executable, "-m", "grader", "export", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert exported.returncode == 0, exported.stderr
    assert (out / "report.png").stat().st_size > 0 and (out / "gradebook.csv").is_file()


# --- infrastructure failures --------------------------------------------------------------
INFRA_CHECKS = '''
import os
from pathlib import Path

from grader.scenario import InfraError, exercise


@exercise("zombie.py")
def zombie(ex):
    """Stands in for the engine failing, as the submission's zombie.py says: "down" always,
    "flaky" on the first attempt only, "nospace" as an engine whose storage is full; or for the
    grader failing: "bug" (a bug of the checks), "memory" (out of memory). Each attempt is
    logged."""
    path = ex.containers.files["zombie.py"]
    log = Path(os.environ["ATTEMPTS"]) / path.parent.name
    with log.open("a") as f:
        f.write("attempt\\n")
    mode = path.read_text().strip()
    if mode == "down" or (mode == "flaky" and len(log.read_text().splitlines()) == 1):
        raise InfraError(f"simulated engine failure ({mode})")
    if mode == "bug":
        {}["no such key"]
    if mode == "memory":
        raise MemoryError()
    if mode == "nospace":
        raise InfraError("could not start a grading container: 500 Server Error: Internal "
                         "Server Error (write /var/lib/docker/x: no space left on device)")
    with ex.check("works"):
        pass
'''


def simulated(tmp_path: Path, students: dict[str, str]) -> tuple[Path, Path, Path, dict]:
    """A lab whose one check fails as each student's zombie.py says (INFRA_CHECKS), a class
    of those students (id -> what their zombie.py says), where attempts are logged, the
    results folder and the environment."""
    labs = tmp_path / "labs"
    (labs / "lab3").mkdir(parents=True)
    (labs / "lab3" / "lab.yaml").write_text(
        "title: infra\nimage: tini\nexercises:\n  - file: zombie.py\n    checks:\n"
        "      - {id: works, name: works, points: 1}\n")
    (labs / "lab3" / "checks.py").write_text(INFRA_CHECKS)
    klass, attempts, out = tmp_path / "class", tmp_path / "attempts", tmp_path / "RESULTS"
    attempts.mkdir()
    for student, mode in students.items():
        (klass / student).mkdir(parents=True)
        (klass / student / "zombie.py").write_text(mode)
    return klass, attempts, out, {"ZOMBIELAB_LABS": str(labs), "ATTEMPTS": str(attempts)}


def test_infrastructure_failures_are_retried_once_and_never_a_zero(tmp_path):
    klass, attempts, out, env = simulated(tmp_path, {s: s for s in ("ok", "flaky", "down")})

    result = batch(klass, "--out", out, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert {s: len((attempts / s).read_text().splitlines()) for s in ("ok", "flaky", "down")} == \
        {"ok": 1, "flaky": 2, "down": 2}
    assert set(gradescope_results(out)) == {"ok", "flaky"}
    assert all(r["score"] == 1 for r in gradescope_results(out).values())
    down = json.loads((out / "ungradable" / "down.json").read_text())
    assert down == {"gradable": False, "reason": "simulated engine failure (down)"}
    pl = json.loads((out / "prairielearn" / "down" / "results.json").read_text())
    assert pl["gradable"] is False and "simulated engine failure" in pl["message"]
    with (out / "gradebook.csv").open() as f:
        rows = {row[0]: row for row in csv.reader(f)}
    assert rows["down"][1:] == ["", ""], "an ungradable submission must not become a zero"
    assert "NOT GRADED down: simulated engine failure (down)" in result.stdout
    junit = ET.parse(out / "junit.xml").getroot()
    assert junit.find("testsuite[@name='down']/testcase/error") is not None

    # Once the engine is back, the next run grades only the ungradable submission.
    (klass / "down" / "zombie.py").write_text("ok")
    result = batch(klass, "--out", out, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 already graded, 1 to grade" in result.stderr
    assert set(gradescope_results(out)) == {"ok", "flaky", "down"}
    assert not (out / "ungradable" / "down.json").exists()
    assert len((attempts / "ok").read_text().splitlines()) == 1


def test_an_engine_whose_storage_is_full_stops_the_batch_plainly(tmp_path):
    klass, attempts, out, env = simulated(tmp_path, {"a": "ok", "b": "nospace", "c": "ok"})
    result = batch(klass, "--out", out, "--workers", "1", env=env)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: the Docker engine's storage is full ("), \
        result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len((attempts / "b").read_text().splitlines()) == 1, "a full disk was tried again"
    assert "a" in gradescope_results(out) and "b" not in gradescope_results(out)
    assert not (out / "ungradable" / "b.json").exists(), "a full disk is not the submission's"


def test_a_failure_of_the_grader_names_its_cause_and_where(tmp_path):
    klass, attempts, out, env = simulated(tmp_path, {"bug": "bug", "memory": "memory"})
    result = batch(klass, "--out", out, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    reasons = {p.stem: json.loads(p.read_text())["reason"] for p in (out / "ungradable").glob("*.json")}
    assert re.fullmatch(r"grader bug: KeyError: 'no such key' \(at checks\.py:\d+\)", reasons["bug"])
    assert reasons["memory"] == "out of memory in the grader"


def test_engine_unreachable_is_a_plain_error(klass, tmp_path):
    result = batch(klass, "--out", tmp_path / "RESULTS", env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert result.returncode == 2
    assert "cannot reach the Docker engine" in result.stderr and "Traceback" not in result.stderr


# --- the engine going away mid-batch ------------------------------------------------------------
def dockerd() -> int | None:
    """The PID of this machine's one running dockerd (a stopped one may linger as a zombie)."""
    pids = [int(pid) for pid, (_, state, comm) in process_table().items()
            if comm == "dockerd" and not state.startswith("Z")]
    return pids[0] if len(pids) == 1 else None


@contextmanager
def engine_stopped():
    """This machine's dockerd stopped (SIGTERM: it stops its containers and exits) for the
    block, then started again by scripts/ensure-docker, however the block ends."""
    pid = dockerd()
    if pid is None or os.geteuid() != 0:
        pytest.skip("stopping the engine takes root and one local dockerd")
    os.kill(pid, signal.SIGTERM)
    try:
        deadline = time.monotonic() + 60
        while Path(f"/proc/{pid}").exists() or engine_answers():
            assert time.monotonic() < deadline, "dockerd did not stop"
            time.sleep(0.1)
        yield
    finally:
        subprocess.run([str(ROOT / "scripts" / "ensure-docker")], check=True, capture_output=True,
                       timeout=180)


def started_batch(klass: Path, out: Path, *options: str) -> subprocess.Popen:
    """A batch of zombie.py in the background, once it has saved its first result (--workers
    is ignored on a Dask cluster)."""
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", "lab3", str(klass), "--out",
                             str(out), "--only", "zombie.py", "--workers", "2", *options],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not gradescope_results(out):
        assert time.monotonic() < deadline and proc.poll() is None, "the batch saved nothing"
        time.sleep(0.05)
    return proc


@pytest.fixture
def six(tmp_path) -> Path:
    for number in range(1, 7):
        corpus.reference(LAB, tmp_path / "six" / f"good-{number}")
    return tmp_path / "six"


@pytest.mark.exclusive
def test_an_engine_restart_is_waited_out_and_what_it_cut_short_graded_again(six, tmp_path):
    out = tmp_path / "RESULTS"
    with ended(started_batch(six, out)) as proc:
        with engine_stopped():
            time.sleep(4)
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "Docker engine not answering since " in stderr and "; waiting" in stderr
    assert "Docker engine answering again after" in stderr
    assert "trying once more" not in stderr, "an outage was counted as a failed attempt"
    assert sorted(gradescope_results(out)) == sorted(p.name for p in six.iterdir())
    assert all(r["score"] == ZOMBIE_MAX for r in gradescope_results(out).values()), \
        "a grading the outage cut short was kept"
    assert "Traceback" not in stdout + stderr


@pytest.mark.exclusive
def test_an_outage_past_the_limit_ends_the_batch_and_a_rerun_resumes(six, tmp_path):
    out = tmp_path / "RESULTS"
    with ended(started_batch(six, out, "--outage-limit", "3")) as proc, engine_stopped():
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 2, stderr
    assert "Docker engine not answering for 3 s: giving up" in stderr and "Traceback" not in stderr
    assert "trying once more" not in stderr, "a submission was tried again after the batch gave up"
    graded = gradescope_results(out)
    ungradable = {p.stem: json.loads(p.read_text()) for p in (out / "ungradable").glob("*.json")}
    assert sorted([*graded, *ungradable]) == sorted(p.name for p in six.iterdir())
    assert ungradable and all(u == {"gradable": False, "reason": ENGINE_DOWN}
                              for u in ungradable.values())
    assert all(r["score"] == ZOMBIE_MAX for r in graded.values())

    rerun = batch(six, "--out", out, "--only", "zombie.py")
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(graded)} already graded, {len(ungradable)} to grade" in rerun.stderr
    assert all(r["score"] == ZOMBIE_MAX for r in gradescope_results(out).values())


@pytest.mark.exclusive
def test_a_grade_whose_engine_stops_says_so_plainly(client, tmp_path):
    reference = corpus.reference(LAB, tmp_path / "submission")
    with ended(subprocess.Popen([sys.executable, "-m", "grader", "grade", "lab3",
                                 str(reference), "--only", "server.py"], cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)) as proc:
        deadline = time.monotonic() + 60
        while not containers_of(client, [proc.pid]):
            assert time.monotonic() < deadline and proc.poll() is None, "no grading container started"
            time.sleep(0.05)
        with engine_stopped():
            stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stdout + stderr
    assert "Traceback" not in stderr and "Docker engine stopped answering" in stderr, stderr
    assert "Score:" not in stdout, "an outage was graded"
    # The engine could not remove the grading's container; the next grading does.
    again = subprocess.run([sys.executable, "-m", "grader", "grade", "lab3", str(reference),
                            "--only", "zombie.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert containers_of(client, [proc.pid]) == []


# --- a big class ---------------------------------------------------------------------------------
PEAK_MEMORY = """
import resource, sys
from grader.cli import main
status = main(sys.argv[1:])
print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(status)
"""


def batch_peak_kb(size: int, folder: Path) -> int:
    """The batch process's own peak resident memory (not its graders') for `size` empty
    submissions of lab1, each graded (every check failed, nothing submitted)."""
    for number in range(size):
        (folder / "class" / f"s{number:04}").mkdir(parents=True)
    result = subprocess.run([sys.executable, "-c", PEAK_MEMORY, "batch", "lab1", str(folder / "class"),
                             "--out", str(folder / "RESULTS")], cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"graded {size} of {size}" in result.stdout
    return int(result.stderr.rsplit("peak ", 1)[1].split()[0])


def test_a_class_of_a_thousand_keeps_the_batch_memory_flat(tmp_path):
    small = batch_peak_kb(100, tmp_path / "small")
    large = batch_peak_kb(1000, tmp_path / "large")
    growth = large - small
    assert growth < 8 * 1024, (f"the batch's peak memory grew by {growth // 1024} MB from 100 to "
                                f"1000 submissions ({small // 1024} MB -> {large // 1024} MB)")


# --- the same class on a Dask cluster on loopback -----------------------------------------
def scheduler(folder: Path, port: int) -> subprocess.Popen:
    """A `dask scheduler` on 127.0.0.1 (port 0: any free one), once it has said where it is."""
    info = folder / "scheduler.json"
    info.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                             "127.0.0.1", "--port", str(port), "--no-dashboard", "--scheduler-file",
                             str(info)], cwd=folder, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not info.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the scheduler did not start"
        time.sleep(0.1)
    return proc


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real `dask scheduler` and two `python -m grader worker` processes on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("cluster")
    procs = [scheduler(folder, port=0)]
    try:
        address = json.loads((folder / "scheduler.json").read_text())["address"]
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "grader", "worker", address, "--nthreads", "1", "--name", name],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for proc in reversed(procs):   # workers first, then the scheduler
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def worker_processes(grader_worker: int) -> list[int]:
    """The Dask worker processes (the ones that execute tasks) below a `grader worker`: the
    children of the Dask nanny it runs."""
    parents, spawned = {}, set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if b"spawn_main" in (proc / "cmdline").read_bytes():
                spawned.add(int(proc.name))
        except (OSError, IndexError):
            continue
    return [pid for pid in spawned if parents.get(parents.get(pid)) == grader_worker]


def test_dask_cluster_grades_the_same_scores(cluster, local_run, klass, tmp_path):
    address, procs = cluster
    out = tmp_path / "RESULTS"
    run = subprocess.Popen([sys.executable, "-m", "grader", "batch", "lab3", str(klass), "--out",
                            str(out), "--only", "zombie.py", "--scheduler", address],
                           cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    # Kill one worker mid-batch: the scheduler reruns its task on a worker that lives.
    deadline = time.monotonic() + 120
    while not gradescope_results(out) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    killed = worker_processes(procs[1].pid)
    assert killed and run.poll() is None, "no worker to kill mid-batch"
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stdout + stderr
    assert re.search(r"Dask worker tcp://127\.0\.0\.1:\d+ left the cluster while grading [\w, -]+: "
                     r"the scheduler runs that again on another worker", stderr), stderr
    assert_graded_correctly(out, klass)
    local = gradescope_results(local_run[1])
    on_cluster = gradescope_results(out)
    assert {s: r["score"] for s, r in on_cluster.items()} == {s: r["score"] for s, r in local.items()}
    assert (out / "gradebook.csv").read_text() == (local_run[1] / "gradebook.csv").read_text()


def test_a_restarted_scheduler_loses_nothing(cluster, klass, tmp_path):
    address, procs = cluster
    out = tmp_path / "RESULTS"
    with ended(started_batch(klass, out, "--scheduler", address)) as run:
        # The scheduler dies with every task it held, and comes back on the same address.
        procs[0].kill()
        procs[0].wait()
        time.sleep(2)
        procs[0] = scheduler(Path(procs[0].args[procs[0].args.index("--scheduler-file") + 1]).parent,
                             port=int(address.rsplit(":", 1)[1]))
        stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stdout + stderr
    assert f"Dask scheduler at {address} not answering since " in stderr
    assert f"Dask scheduler at {address} answering again after " in stderr
    retried = [line for line in stderr.splitlines() if "trying once more" in line]
    assert not retried, f"the outage was counted as a failed attempt: {retried}"
    assert "Traceback" not in stderr
    assert_graded_correctly(out, klass)


def test_a_lab_that_keeps_several_containers_busy_gets_fewer_graders_by_default():
    """Lab 4 keeps about two containers busy at once (containers_at_once: 2): a core for each."""
    cores = len(os.sched_getaffinity(0))
    lab4 = labspec.load("lab4")
    assert lab4.spec.containers_at_once == 2
    assert default_workers(lab4) == max(1, 2 * cores // 2)
    assert 1 <= default_workers(LAB) <= 2 * cores   # lab3: two per core at most
    assert default_workers(LAB) >= default_workers(lab4)
