"""The engine-free backend's logic, without an engine: what the environment shows, which checks
a backend skips for what it lacks and how they then count, and a record made from polls."""
import os
import shutil

import pytest

from .conftest import ROOT
from grader import environment, exports, labspec, local, report
from grader.errors import InfraError
from grader.containers import Containers
from grader.exercise import Exercise
from grader.grading import ENGINE_FREE_BACKEND, Scorecard
from grader.recorder import Record

# /proc/self/status of root in a container with Docker's default capabilities and profile.
IN_A_CONTAINER = "Name:\tpython3\nCapEff:\t00000000a80425fb\nSeccomp:\t2\n"
DOCKER_DEFAULT = {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
                  "SETPCAP", "NET_BIND_SERVICE", "NET_RAW", "SYS_CHROOT", "MKNOD", "AUDIT_WRITE",
                  "SETFCAP"}


def test_capabilities_and_seccomp_are_read_from_proc_status():
    assert environment.capabilities(IN_A_CONTAINER) == DOCKER_DEFAULT
    assert environment.seccomp_mode(IN_A_CONTAINER) == "filter"
    assert environment.capabilities("CapEff:\t0000000000000000\n") == set()
    assert environment.seccomp_mode("Name:\tx\n") == "unknown"


def platform(**changes) -> environment.Environment:
    seen = dict(engine=False, root=True, capabilities=frozenset(DOCKER_DEFAULT), seccomp="filter",
                namespaces=False, first_namespaces=False, pid1="tini", pids_max="1024")
    return environment.Environment(**{**seen, **changes})


def test_a_platform_container_grades_engine_free_without_the_recorder():
    inside = platform()
    assert (inside.backend, inside.recorder) == ("engine-free", False)
    assert "backend:              engine-free" in inside.described()
    assert inside.summary == ("root, seccomp filter, new namespaces refused, PID 1 tini, "
                              "pids limit 1024")   # what a result says graded it
    host = platform(first_namespaces=True, capabilities=frozenset(environment.CAPABILITIES))
    assert host.recorder and "capabilities:         all" in host.described()
    assert platform(engine=True).backend == "docker"


def exercise(lab_name: str, file: str, skipped_points: str = "dropped") -> Exercise:
    lab = labspec.load(lab_name)
    lab.spec = lab.spec.model_copy(update={"skipped_points": skipped_points})
    return Exercise(lab.spec.exercises[[e.file for e in lab.spec.exercises].index(file)],
                    Containers(None, lab, {}))


def test_a_check_that_needs_the_kernels_record_is_skipped_and_its_exercise_still_runs():
    reaper = exercise("lab3", "reaper.py")
    assert not reaper.skip_unmet(frozenset())
    assert set(reaper.skipped) == {"real-statuses", "prompt-reaping"}
    assert reaper.skipped["real-statuses"].startswith("it needs the kernel's record of every")
    # What a scenario then judges of a skipped check stands for nothing, in every run.
    run = reaper.new_verdicts()
    run.fail("real-statuses", "wrong statuses")
    run.fail("exit-order", "out of order")
    assert not run.failed("real-statuses") and run.failed("exit-order")


def test_an_exercise_whose_runs_cannot_be_made_is_skipped_whole():
    init = exercise("lab4", "mini_init.py")
    assert init.skip_unmet(frozenset({"kernel-record"}))
    reasons = {r.id: r.skipped for r in init.ordered_results()}
    assert reasons["runs-child"].startswith("it needs a PID namespace of the grader's making")
    assert reasons["subreaper"].startswith("its runs are also those of runs-child, exit-codes")
    assert all(r.passed and r.max_score == 0 for r in init.ordered_results())


def test_the_docker_backend_offers_every_need():
    for file in ("reaper.py", "server.py", "zombie.py"):
        ex = exercise("lab3", file)
        assert not ex.skip_unmet(frozenset(labspec.NEEDS)) and not ex.skipped


def test_granted_points_count_for_everyone():
    reaper = exercise("lab3", "reaper.py", skipped_points="granted")
    reaper.skip_unmet(frozenset())
    reaper.verdicts.fail("exit-order", "out of order")
    results = reaper.ordered_results()
    assert [(r.score, r.max_score) for r in results] == [(3, 3), (0, 2), (3, 3)]


def test_a_lab_may_only_declare_known_needs(labs_dir, monkeypatch):
    monkeypatch.setattr(labspec, "LABS_DIR", labs_dir)
    path = labs_dir / "lab3" / "lab.yaml"
    path.write_text(path.read_text().replace("needs: [kernel-record]", "needs: [root]", 1))
    with pytest.raises(labspec.LabError, match=r"needs\.0: Input should be 'kernel-record'"):
        labspec.load("lab3")


def test_a_polled_record_reads_as_the_kernels():
    seen = [
        {"pid": 7, "parent": 1, "born": 10.0, "ended": None, "status": None, "reaped": None,
         "reaped_by": None, "freed": None, "stops": [[10.5, 10.6]], "reaper_waited": 0.0},
        {"pid": 8, "parent": 7, "born": 10.2, "ended": 11.0, "status": 3 << 8, "reaped": 11.04,
         "reaped_by": 7, "freed": 11.04, "stops": [], "reaper_waited": 0.01},
    ]
    record = Record.polled(seen)
    child = record.of(8)
    assert child.creator == 7 and child.exit_code == 3 and child.fate == "reaped by PID 7"
    assert child.zombie_time(now=20.0) == pytest.approx(0.04)
    assert record.of(7).resumed == 10.6
    assert [life.pid for life in record.created_by(7, after=10.0)] == [8]


def engine_free_row(lab: labspec.Lab) -> str:
    """The README's line for a lab in its table of what is judged without an engine."""
    judged, skipped, points = [], {}, 0
    for e in lab.spec.exercises:
        here, unmet = e.judged(frozenset()), e.unmet(frozenset())
        for c in e.checks:
            if c.id in here:
                judged.append(c.id)
                points += c.points
            else:
                need = " + ".join(unmet[c.id]) or "their exercise's runs"
                skipped.setdefault(need, []).append(c.id)
    named = ", ".join(f"`{c}`" for c in judged) or "none"
    needs = "; ".join(f"{need}: " + ", ".join(f"`{c}`" for c in ids) for need, ids in skipped.items())
    return f"| {lab.name} ({points} of {lab.spec.max_score} points) | {named} | {needs} |"


def test_the_readme_says_what_each_lab_is_graded_on_without_an_engine():
    readme = (ROOT / "README.md").read_text()
    for name in labspec.available():
        assert engine_free_row(labspec.load(name)) in readme, name


def test_a_lab_with_nothing_judged_here_is_not_gradable_on_prairielearn():
    init = exercise("lab4", "mini_init.py")
    init.skip_unmet(frozenset())
    lab = labspec.load("lab4")
    card = Scorecard(lab, init.ordered_results(), 0.1, backend=ENGINE_FREE_BACKEND)
    result = exports.prairielearn(exports.Record("s", report.gradescope(card)))
    assert result["gradable"] is False and "nothing of it could be judged here" in result["message"]
    assert all("skipped: " in test["output"] for test in result["tests"])


def test_grading_without_an_engine_says_plainly_what_the_machine_lacks(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(InfraError, match="needs root: .* this grader is uid 1000"):
        local.require_ready()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "prlimit" else "/usr/bin/" + tool)
    with pytest.raises(InfraError, match=r"needs prlimit \(util-linux\)"):
        local.require_ready()
