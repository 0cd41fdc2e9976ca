"""Lab 4 beyond what tests/test_labs.py checks for every lab (the reference's full marks, each
buggy init and spoof failing exactly its Fails, every check failed by some mistake): tini itself
passes the whole battery, since a case tini fails is a bug in the battery; each check shows the
learner's result beside tini's; the timing checks hold under load both ways, workload by
workload (a whole grading runs the battery twice, too slow to repeat ten times); and the
handout's two central demos show what they claim on real containers of the lab images."""
import json
import os
import re
import socket
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import UnderLoad, busy_cores, faulty_submission, grade_reference, side_by_side
from grader import labspec
from grader.exercise import Exercise
from grader.languages import LANGUAGES
from grader.containers import Containers
from grader.recorder import Record
from grader.scenario import require
from grader.engine import IMAGES, LABEL, OWNER_LABEL

LAB = labspec.load("lab4")
SPEC = LAB.spec.exercises[0]
CHECKS = LAB.checks   # the lab's checks.py, as the grader loaded it
CHECK_IDS = {c.id for c in SPEC.checks}
DEMOS = LAB.folder / "demos"
RUNS = 10


def battery(client, init, files: dict[str, Path], workloads=None):
    """Run the battery (or some of its workloads) against one init, outside grade(): the tini
    side needs no learner file at all. A C init is compiled first, as grade() would."""
    with Containers(client, LAB, files) as containers:
        ex = Exercise(SPEC, containers, file=next(iter(files), None))
        if ex.language and ex.language.compiled:
            assert ex.compile() is None
        with ex.step():
            return CHECKS.run_battery(ex, init, workloads or CHECKS.BATTERY)


def failures(trial) -> dict[str, str]:
    return {check_id: verdict.observed for check_id, verdict in trial.verdicts.by_check.items()
            if not verdict.passed}


# --- an init that never runs CMD (no engine: the kernel's record, as lines) ---------------------
NS = "4026532180"
# PID 1 (host 101) is the boot shell, which forks cp (host 102), then becomes python3 mini_init.py.
BOOTED_INIT = [
    f"born 1000 101 101 {NS} 1 1",
    f"exec 1100 101 101 {NS} 1 1 /bin/sh",
    f"new 1200 101 101 {NS} 1 1 102 1200000 0",
    f"born 1300 102 102 {NS} 2 2",
    f"exec 1400 102 102 {NS} 2 2 /bin/cp",
    f"exit 1500 102 102 {NS} 2 2 1 0 0 101 0",
    f"exec 2000 101 101 {NS} 1 1 /usr/bin/python3",
]
PROBE_EXEC = [f"born 3000 103 103 {NS} 3 3", f"exec 3100 103 103 {NS} 3 3 /usr/bin/python3"]
RUNS_CMD = [f"new 4000 101 101 {NS} 1 1 104 1200000 0", f"born 4100 104 104 {NS} 4 4",
            f"exec 4200 104 104 {NS} 4 4 /opt/zombielab/lab/signal-state"]
FORKS_ONLY = [f"new 4000 101 101 {NS} 1 1 104 1200000 0", f"born 4100 104 104 {NS} 4 4"]
RUNS_OTHERS = FORKS_ONLY + [f"exec 4200 104 104 {NS} 4 4 /usr/bin/su"]


# The learner's program as PID 1 execs it: python3 for mini_init.py, the binary for mini_init.c.
PYTHON, BINARY = "/usr/bin/python3", "/home/learner/work/mini_init"


@pytest.mark.parametrize("executable", [PYTHON, BINARY])
@pytest.mark.parametrize("lines, inert", [
    (BOOTED_INIT + PROBE_EXEC, True),          # the grader's own docker exec is not the init's
    (BOOTED_INIT + PROBE_EXEC + FORKS_ONLY, True),   # forks, but nothing ever runs CMD
    (BOOTED_INIT + PROBE_EXEC + RUNS_OTHERS, True),  # runs programs, but not CMD's
    (BOOTED_INIT + PROBE_EXEC + RUNS_CMD, False),
    (BOOTED_INIT[:-1], False),                 # never became the learner's program: not judged
])
def test_an_init_that_never_runs_cmd_is_told_apart_from_one_that_does(lines, inert, executable):
    lines = [line.replace(PYTHON, executable) if line == BOOTED_INIT[-1] else line for line in lines]
    record = Record([line.split() for line in lines], {})
    booted = SimpleNamespace(probe=SimpleNamespace(record=lambda: record))
    assert bool(CHECKS.never_ran_cmd(booted, 5, executable)) == inert


# --- tini's run, kept by the result cache (no engine) -------------------------------------------
def test_tinis_trial_comes_back_from_the_cache_as_it_was_judged():
    trial = CHECKS.Trial(CHECKS.TINI)
    with trial.verdicts.check("runs-child") as verdict:
        verdict.summary = "CMD is its child"
    with trial.verdicts.needed_by("exit-codes", "signal-deaths"):
        require(False, "no container")
    restored = CHECKS.Trial.restored(CHECKS.TINI, json.loads(json.dumps(trial.saved())))
    assert {check_id: (v.passed, v.observed, v.described)
            for check_id, v in restored.verdicts.by_check.items()} == {
        "runs-child": (True, "", "CMD is its child"),
        "exit-codes": (False, "no container", "failed"),
        "signal-deaths": (False, "no container", "failed")}
    assert not restored.passed


# --- grading ----------------------------------------------------------------------------------
REFERENCES = [language for language in LANGUAGES
              if (LAB.folder / "solution" / Path(SPEC.file).with_suffix(language.suffix)).is_file()]


@pytest.mark.parametrize("language", REFERENCES, ids=lambda language: language.name)
def test_every_check_shows_the_learners_result_beside_tinis(client, tmp_path, language):
    result = grade_reference(client, "lab4", tmp_path, language=language)
    assert result.score == result.max_score == LAB.spec.max_score
    notes = {r.id: r.notes for r in result.results}
    assert all(len(n) == 1 and re.fullmatch(r"yours: .+ \| tini: .+", n[0]) for n in notes.values()), notes
    # the reference does what tini does, word for word (CPU use is a measurement: it may differ)
    assert all(n[0].partition(" | ")[0].removeprefix("yours: ") ==
               n[0].partition(" | ")[2].removeprefix("tini: ")
               for check_id, n in notes.items() if check_id != "idle-cpu"), notes


def test_tini_passes_the_whole_battery(client):
    trial = battery(client, CHECKS.TINI, {})
    assert set(trial.verdicts.by_check) == CHECK_IDS
    assert failures(trial) == {}


# --- timing under load ------------------------------------------------------------------------
def timed_workloads():
    """The workloads whose checks measure time: the orphans (200 ms after SIGCONT, and under
    docker exec), idle CPU and signals (the forwarding container), a CMD that must outlive
    SIGTERM for a second, and an init that must exit within 3 s of CMD."""
    return [CHECKS.forwarding, CHECKS.survives_term, CHECKS.reaps_orphans, CHECKS.subreaper,
            CHECKS.exit_statuses]


@pytest.fixture(scope="module")
def references_under_load(request, client) -> UnderLoad:
    """The reference inits in every language, under one load."""
    def graded(params, _):
        file = Path(SPEC.file).with_suffix(params["language"].suffix).name
        return battery(client, CHECKS.MINI_INIT, {file: LAB.folder / "solution" / file},
                       timed_workloads())
    return UnderLoad(request, RUNS, graded)


@pytest.mark.exclusive
@pytest.mark.parametrize("language", REFERENCES, ids=lambda language: language.name)
def test_reference_passes_timing_checks_ten_runs_under_load(request, references_under_load, language):
    for run, trial in enumerate(references_under_load.results(request.node)):
        assert failures(trial) == {}, f"run {run + 1} of {RUNS}"


@pytest.mark.exclusive
def test_tini_passes_timing_checks_under_load(client):
    with busy_cores():
        trials = side_by_side(3, lambda run: battery(client, CHECKS.TINI, {}, timed_workloads()))
    for run, trial in enumerate(trials):
        assert failures(trial) == {}, f"run {run + 1}"


@pytest.fixture(scope="module")
def mistakes_under_load(request, client) -> UnderLoad:
    """The timing mistakes below, three runs each, under one load."""
    def graded(params, folder):
        patch = LAB.folder / "buggy" / f"{params['case']}.patch"
        source, _, _ = faulty_submission(LAB, patch, folder)
        return battery(client, CHECKS.MINI_INIT, {"mini_init.py": source / "mini_init.py"},
                       [getattr(CHECKS, params["workload"])])
    return UnderLoad(request, 3, graded)


@pytest.mark.exclusive
@pytest.mark.parametrize("case, workload, check", [
    ("reaps-orphans/one-wait-per-sigchld", "reaps_orphans", "reaps-orphans"),
    ("reaps-orphans/blocks-in-waitpid", "reaps_orphans", "reaps-orphans"),
    ("idle-cpu/busy-polls", "forwarding", "idle-cpu"),
    ("survives-term/exits-on-term", "survives_term", "survives-term"),
    ("exits-at-once/waits-for-all-children", "exit_statuses", "exits-at-once"),
])
def test_timing_mistakes_fail_every_time_under_load(request, mistakes_under_load, case, workload, check):
    for run, trial in enumerate(mistakes_under_load.results(request.node)):
        assert not trial.verdicts.by_check[check].passed, f"run {run + 1}: {check} passed"


# --- the handout's demos, on real containers of the lab images --------------------------------
def demo_container(client, variant: str, *argv: str):
    """A detached container of a lab image running a demo (the demos mounted as in make labN),
    labelled like the grader's so that a leftover is caught by the suite."""
    return client.containers.run(
        IMAGES[variant], ["python3", *argv], detach=True, name=f"zombielab-demo-{uuid.uuid4().hex[:8]}",
        volumes={str(DEMOS): {"bind": "/lab/demos", "mode": "ro"}}, network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}"})


def wait_for_log(container, pattern: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = container.logs().decode()
        if re.search(pattern, logs, re.M):
            return logs
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in the demo's output: {container.logs().decode()!r}")


@pytest.mark.parametrize("variant", ["noinit", "tini"])
def test_zombie_demo_grows_without_an_init_and_stays_at_zero_under_tini(client, variant):
    rounds = 5
    container = demo_container(client, variant, "/lab/demos/pid1_zombies.py",
                               "--rounds", str(rounds), "--interval", "0.3")
    try:
        assert container.wait(timeout=60)["StatusCode"] == 0
        logs = container.logs().decode()
    finally:
        container.remove(force=True)
    counts = [int(n) for n in re.findall(r"zombies in this container: (\d+)", logs)]
    left = int(re.search(r"done: (\d+) zombies left", logs).group(1))
    if variant == "noinit":
        assert "PID 1 is python3" in logs
        assert counts == list(range(1, rounds + 1)) and left == rounds, logs
    else:
        assert "PID 1 is tini" in logs
        assert counts == [0] * rounds and left == 0, logs


@pytest.mark.parametrize("variant, grace_used, status", [("noinit", True, 137), ("tini", False, 143)])
def test_docker_stop_waits_the_grace_period_without_an_init_and_not_under_tini(
        client, variant, grace_used, status):
    grace = 2
    container = demo_container(client, variant, "/lab/demos/pid1_signals.py", "--sleep", "600")
    try:
        wait_for_log(container, r"^PID \d+ sleeping")
        started = time.monotonic()
        container.stop(timeout=grace)
        took = time.monotonic() - started
        container.reload()
        exit_code = container.attrs["State"]["ExitCode"]
    finally:
        container.remove(force=True)
    assert exit_code == status   # 137: SIGKILL after the grace period; 143: SIGTERM, forwarded
    assert (took >= grace) == grace_used, f"docker stop took {took:.1f} s"
