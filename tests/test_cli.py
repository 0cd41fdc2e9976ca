"""`python -m grader` as a learner, a TA or Gradescope runs it: a real process, the real engine,
and what it prints, writes and exits with."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from platform_formats import valid_gradescope
from grader import corpus, feedback, labspec
from grader.engine import LABEL, OWNER_LABEL
from grader.languages import C

LAB = labspec.load("lab3")
CHECK_LINE = re.compile(r"^(OK  |FAIL) +(\d+)/(\d+) +(\S+\.py): (.+)$")


def grader(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def points(*files: str) -> int:
    return sum(c.points for e in LAB.spec.exercises if e.file in files for c in e.checks)


def checks_of(file: str):
    return next(e for e in LAB.spec.exercises if e.file == file).checks


def check_lines(stdout: str) -> list[re.Match]:
    return [m for m in map(CHECK_LINE.match, stdout.splitlines()) if m]


def plain_error(result: subprocess.CompletedProcess) -> str:
    """An infrastructure or usage error: exit 2, one line on stderr, nothing on stdout."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def reference(tmp_path) -> Path:
    folder = tmp_path / "submission"
    corpus.reference(LAB, folder)
    return folder


# --- a real grade -------------------------------------------------------------------------
def test_grades_the_reference_and_writes_gradescope_json(reference, tmp_path):
    out = tmp_path / "results" / "results.json"
    result = grader("grade", "lab3", reference, "--json", out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""

    all_checks = [(e.file, c) for e in LAB.spec.exercises for c in e.checks]
    lines = check_lines(result.stdout)
    assert [(m.group(4), m.group(5)) for m in lines] == [(f, c.name) for f, c in all_checks]
    assert all(m.group(1) == "OK  " and m.group(2) == m.group(3) for m in lines), result.stdout
    assert re.search(rf"^Score: {LAB.spec.max_score}/{LAB.spec.max_score}\b", result.stdout,
                     re.MULTILINE), result.stdout

    data = json.loads(out.read_text())
    assert set(data) == {"score", "execution_time", "output", "tests", "extra_data"}
    valid_gradescope(data)
    assert set(data["extra_data"]["runs"]) == {file for file, _ in all_checks}   # each one's timelines
    assert data["score"] == feedback.max_score(data) == LAB.spec.max_score
    assert isinstance(data["execution_time"], (int, float)) and 0 < data["execution_time"] < 180
    assert isinstance(data["output"], str) and f"{LAB.spec.max_score}/{LAB.spec.max_score}" in data["output"]
    assert len(data["tests"]) == len(all_checks)
    for test, (file, check) in zip(data["tests"], all_checks):
        assert set(test) == {"name", "score", "max_score", "status", "output"}
        assert test["name"] == f"{file}: {check.name}"
        assert test["score"] == test["max_score"] == check.points
        assert test["status"] == "passed"
        assert test["output"] == ""
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    assert not list(out.parent.glob(".results.json.*")), "the atomic write left its temp file"


def test_lab_named_by_its_number(reference):
    result = grader("grade", "3", reference, "--only", "zombie.py")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = check_lines(result.stdout)
    assert [m.group(5) for m in lines] == [c.name for c in checks_of("zombie.py")]
    assert {m.group(4) for m in lines} == {"zombie.py"}
    total = points("zombie.py")
    assert re.search(rf"^Score: {total}/{total} +\({re.escape(LAB.spec.title)}", result.stdout,
                     re.MULTILINE), result.stdout


# --- the submission's faults: graded, plainly explained ----------------------------------
def test_missing_exercise_scores_zero_and_the_rest_is_graded(reference, tmp_path):
    (reference / "zombie.py").unlink()
    out = tmp_path / "results.json"
    result = grader("grade", "lab3", reference, "--only", "zombie.py", "--only", "reaper.py",
                    "--json", out)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    data = json.loads(out.read_text())
    by_file = {}
    for test in data["tests"]:
        by_file.setdefault(test["name"].split(": ", 1)[0], []).append(test)
    assert set(by_file) == {"zombie.py", "reaper.py"}
    for test in by_file["zombie.py"]:
        assert (test["status"], test["score"]) == ("failed", 0)
        assert "zombie.py was not submitted" in test["output"]
        assert test["max_score"] > 0
    for test in by_file["reaper.py"]:
        assert (test["status"], test["score"]) == ("passed", test["max_score"]), test
    assert data["score"] == points("reaper.py")
    assert feedback.max_score(data) == points("zombie.py", "reaper.py")
    assert f"Score: {points('reaper.py')}/{points('zombie.py', 'reaper.py')}" in result.stdout


def test_a_failed_check_shows_what_the_kernel_saw_the_processes_do(tmp_path):
    """A reaper that polls with a sleep: the zombies the check names are in the timeline under
    it, each a zombie at least as long as the check says and reaped by the learner's program
    (its parent), and the feedback page is written and named last."""
    submission, page = tmp_path / "submission", tmp_path / "feedback.html"
    corpus.patched(LAB, LAB.folder / "buggy" / "prompt-reaping" / "sleepy-poll.patch", submission)
    result = grader("grade", "lab3", submission, "--only", "reaper.py", "--feedback", page)
    assert result.returncode == 1, result.stdout + result.stderr
    late = dict(re.findall(r"PID (\d+) for (\d+) ms", result.stdout))
    program = re.search(r"\+0\.000 s  PID (\d+) \(python3\) started", result.stdout).group(1)
    for pid, lasted in late.items():
        told = re.search(rf"PID {pid} exited with \d+: a zombie until \S+ s \((\d\.\d+) s\), "
                         rf"reaped by PID (\d+)", result.stdout)
        assert told and told.group(2) == program, (pid, result.stdout)
        # the check leaves out time the reaper waited for a CPU; the timeline shows it all
        assert float(told.group(1)) * 1000 >= int(lasted) - 1
    assert late and result.stdout.count("as in the timeline above") == 1
    assert result.stdout.splitlines()[-1].endswith(str(page.resolve())) and "<svg" in page.read_text()


def test_each_exercise_is_graded_in_its_own_language_and_a_compile_error_costs_only_it(tmp_path):
    """A mixed submission (zombie.c, reaper.py, server.c): each file graded in its language, full
    marks, and again with the binaries compiled the first time; then a C file that does not
    compile fails its own exercise's checks with gcc's error line, and the others keep theirs."""
    folder = corpus.reference(LAB, tmp_path / "mixed")
    c_reference = corpus.reference(LAB, tmp_path / "c", C)
    for file in [e.file for e in LAB.spec.exercises][0::2]:
        c_file = Path(file).stem + C.suffix
        (folder / file).unlink()
        shutil.copy(c_reference / c_file, folder / c_file)
    kept = tmp_path / "cache"   # the binaries the grader keeps
    result = grader("grade", "lab3", folder, env={"ZOMBIELAB_CACHE": str(kept)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]

    # Graded again unchanged, the binaries come from the cache (none is compiled and kept
    # again) and still get full marks.
    binaries = {p: p.stat().st_mtime_ns for p in kept.glob("lab3-*-binary-*.json")}
    assert len(binaries) == 2, sorted(kept.iterdir())
    result = grader("grade", "lab3", folder, env={"ZOMBIELAB_CACHE": str(kept)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert {p: p.stat().st_mtime_ns for p in kept.glob("lab3-*-binary-*.json")} == binaries

    first = LAB.spec.exercises[0].file
    broken = Path(first).stem + C.suffix
    (folder / broken).write_text("int main(void) { return }\n")
    result = grader("grade", "lab3", folder)
    lines = check_lines(result.stdout)
    assert result.returncode == 1 and lines, result.stdout[-3000:]
    for line in lines:
        assert line.group(1) == ("FAIL" if line.group(4) == first else "OK  "), result.stdout
    assert re.search(rf"observed: {broken} does not compile \(gcc [^)]*\): {broken}:1:\d+: error: ",
                     result.stdout), result.stdout


def test_syntax_error_is_reported_with_its_line(reference):
    (reference / "zombie.py").write_text("import os\n\ndef broken(:\n    pass\n")
    result = grader("grade", "lab3", reference, "--only", "zombie.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = check_lines(result.stdout)
    assert len(lines) == len(checks_of("zombie.py"))
    assert all(m.group(1) == "FAIL" and m.group(2) == "0" for m in lines), result.stdout
    observed = [line for line in result.stdout.splitlines() if "observed:" in line]
    assert len(observed) == len(lines)
    assert all("syntax error at line 3" in line for line in observed), observed
    assert f"Score: 0/{points('zombie.py')}" in result.stdout


def test_crash_at_start_fails_with_the_programs_last_words(reference):
    (reference / "zombie.py").write_text(
        'print("starting up", flush=True)\n'
        'raise RuntimeError("learner bug 41")\n')
    result = grader("grade", "lab3", reference, "--only", "zombie.py")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = check_lines(result.stdout)
    assert len(lines) == len(checks_of("zombie.py"))
    assert all(m.group(1) == "FAIL" for m in lines), result.stdout
    observed = [line for line in result.stdout.splitlines() if "observed:" in line]
    assert len(observed) == len(lines)
    for line in observed:
        assert "exited with status 1" in line
        assert "RuntimeError: learner bug 41" in line, line
    assert "Traceback" not in result.stderr, "the grader itself must not crash"


# --- usage and infrastructure errors: exit 2, one plain line -----------------------------
def test_docker_engine_unreachable(reference):
    line = plain_error(grader("grade", "lab3", reference,
                              env={"DOCKER_HOST": "unix:///nonexistent.sock"}, timeout=60))
    assert "cannot reach the Docker engine" in line
    assert "not the submission's fault" in line


# --- broken lab definitions (labs read from $ZOMBIELAB_LABS) ------------------------------
@pytest.fixture
def labs_dir(tmp_path) -> Path:
    """A labs folder holding a copy of lab3's definition."""
    folder = tmp_path / "labs"
    (folder / "lab3").mkdir(parents=True)
    for name in ("lab.yaml", "checks.py"):
        shutil.copy(LAB.folder / name, folder / "lab3" / name)
    return folder


def test_labs_folder_comes_from_the_environment(labs_dir):
    (labs_dir / "lab3").rename(labs_dir / "lab7")
    result = grader("labs", env={"ZOMBIELAB_LABS": str(labs_dir)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"lab7: {LAB.spec.title} — {LAB.spec.topic}"]


def _drop_points(spec):
    del spec["exercises"][0]["checks"][1]["points"]


def _negative_points(spec):
    spec["exercises"][1]["checks"][0]["points"] = -3


def _unknown_image(spec):
    spec["image"] = "systemd"


def _duplicate_id(spec):
    spec["exercises"][2]["checks"][0]["id"] = spec["exercises"][0]["checks"][0]["id"]


def _tmpfs_over_memory(spec):
    spec["limits"]["memory_mb"] = 256


@pytest.mark.parametrize("corrupt, expected", [
    (_drop_points, "field exercises.0.checks.1.points: Field required"),
    (_negative_points, "field exercises.1.checks.0.points: Input should be greater than 0"),
    (_unknown_image, "field image:"),
    (_duplicate_id, "check ids must be unique; repeated: zombie-is-child"),
    ("title: [unclosed\nexercises: {\n", "is not valid YAML"),
    ("", "field (top level)"),
    (_tmpfs_over_memory, "field limits: Value error, tmp_mb + disk_mb (192) must be at most half "
                         "of memory_mb (256)"),
], ids=["missing-points", "negative-points", "unknown-image", "duplicate-id", "bad-yaml", "empty",
        "tmpfs-over-memory"])
def test_broken_lab_yaml(labs_dir, reference, corrupt, expected):
    path = labs_dir / "lab3" / "lab.yaml"
    if callable(corrupt):
        spec = yaml.safe_load(path.read_text())
        corrupt(spec)
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
    else:
        path.write_text(corrupt)
    # --only keeps a grader that wrongly ignored ZOMBIELAB_LABS from grading for long.
    result = grader("grade", "lab3", reference, "--only", "zombie.py",
                    env={"ZOMBIELAB_LABS": str(labs_dir)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}"), result.stderr
    assert expected in result.stderr


def test_lab_yaml_sets_the_disk_limit(labs_dir, monkeypatch):
    path = labs_dir / "lab3" / "lab.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["limits"]["disk_mb"] = 32
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    monkeypatch.setattr(labspec, "LABS_DIR", labs_dir)
    assert labspec.load("lab3").limits.disk_mb == 32


def test_broken_checks_py(labs_dir, reference):
    (labs_dir / "lab3" / "checks.py").write_text("import nonexistent_module_41\n")
    line = plain_error(grader("grade", "lab3", reference, "--only", "zombie.py",
                              env={"ZOMBIELAB_LABS": str(labs_dir)}))
    assert "checks.py failed to load" in line and "nonexistent_module_41" in line


# --- interrupted mid-grade ----------------------------------------------------------------
def _containers_of(client, pid: int):
    owner = f"{OWNER_LABEL}={socket.gethostname()}:{pid}"
    # sparse: no inspect per container, which would fail for one the grader just removed.
    return client.containers.list(all=True, filters={"label": [LABEL, owner]}, sparse=True)


def _host_processes_naming(text: str) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if text in line]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_grade_cleans_up(client, reference, signum):
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", "lab3", str(reference)],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        running = []
        while not running and time.monotonic() < deadline and proc.poll() is None:
            running = [c for c in _containers_of(client, proc.pid) if c.status == "running"]
            time.sleep(0.05)
        assert running, "no grading container appeared"
        container_id = running[0].id
        time.sleep(1.5)   # mid-grade: the probe and the first program run in the container
        assert proc.poll() is None, "the grade ended before it could be interrupted"
        assert _host_processes_naming(container_id), "no docker exec was running: not mid-grade"

        sent = time.monotonic()
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=15)
        assert time.monotonic() - sent < 15
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        left = _containers_of(client, proc.pid)
        for container in left:   # so that one failure does not spill into the rest of the suite
            container.remove(force=True)
    assert left == [], "the grading container was left behind"
    assert proc.returncode == 130, (proc.returncode, stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert "Score:" not in stdout
    assert _host_processes_naming(container_id) == [], "docker exec clients outlived the grader"


SKIPPING_CHECKS = '''
from grader.scenario import exercise

@exercise("zombie.py")
def zombie(ex):
    ex.skip_all("this kernel is too old")
''' + "".join(f'''
@exercise("{e.file}")
def scenario_{n}(ex):
    pass
''' for n, e in enumerate(LAB.spec.exercises[1:]))


def test_a_skipped_check_says_why_and_counts_for_nothing(labs_dir, reference, tmp_path):
    (labs_dir / "lab3" / "checks.py").write_text(SKIPPING_CHECKS)
    result = grader("grade", "lab3", reference, "--only", "zombie.py", "--json", tmp_path / "r.json",
                    env={"ZOMBIELAB_LABS": str(labs_dir)})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines if line.startswith("SKIP")] == [["SKIP", "0/0"]] * 3
    assert lines.count("            skipped: this kernel is too old") == 3
    assert lines[-1].startswith("Score: 0/0")
    tests = json.loads((tmp_path / "r.json").read_text())["tests"]
    assert [(t["score"], t["max_score"], t["output"]) for t in tests] == \
        [(0, 0, "skipped: this kernel is too old")] * 3
