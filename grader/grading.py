"""Grade one submission: its files, a fresh pool of containers, then each exercise's scenario in
turn, each check's verdict on a scorecard."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import environment
from .containers import Containers
from .engine import connect, remove_strays
from .errors import CheckFailed, InfraError
from .exercise import CheckResult, Exercise
from .labspec import NEEDS, Lab
from .local import require_ready
from .submission import Submission
from .timeline import Timeline


ALL_NEEDS = frozenset(NEEDS)   # what the Docker backend gives, with the kernel's recorder
DOCKER_BACKEND = "docker: a container per submission, the kernel's record of every process"
ENGINE_FREE_BACKEND = ("engine-free: this machine as the sandbox, /proc polled every 5 ms; "
                       "checks that need more are skipped")


@dataclass
class Scorecard:
    """What grading a submission found: a result per check, and notes on the whole."""
    lab: Lab
    results: list[CheckResult]
    execution_time: float
    notes: list[str] = field(default_factory=list)
    timelines: dict[str, list[Timeline]] = field(default_factory=dict)   # each exercise's runs
    backend: str = DOCKER_BACKEND   # what graded it, and how faithfully

    @property
    def score(self) -> int:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_score for r in self.results)

    @classmethod
    def refused(cls, lab: Lab, only: list[str] | None, reason: str) -> "Scorecard":
        """Every check failed for one reason: a submission refused as a whole."""
        return cls(lab, [CheckResult(e.file, c.id, c.name, c.points, False, reason)
                         for e in lab.exercises(only) for c in e.checks], 0.0)


def grade(lab: Lab, folder: Path, only: list[str] | None = None, client=None,
          engine_free: bool = False) -> Scorecard:
    """Grade the submission in folder; `only` names the exercise files to grade (default: all).
    engine_free: with no Docker engine, on this machine (local.py), skipping what needs one."""
    exercises = lab.exercises(only)
    submission = Submission.of(folder, lab.limits.submission_bytes)
    started = time.monotonic()
    if engine_free:
        require_ready()
        client, offered = None, frozenset()   # none of NEEDS: see local.py
        backend = f"{ENGINE_FREE_BACKEND} (here: {environment.detect().summary})"
    else:
        client, offered, backend = client or connect(), ALL_NEEDS, DOCKER_BACKEND
        remove_strays(client)   # left by a grader that was killed with -9
    results: list[CheckResult] = []
    timelines: dict[str, list[Timeline]] = {}
    with Containers(client, lab, submission.files) as containers:
        for spec in exercises:
            file, problem = submission.answer(spec.file, lab.folder / "starter")
            ex = Exercise(spec, containers, file=file)
            if ex.skip_unmet(offered):
                results.extend(ex.ordered_results())
                continue
            try:
                if not problem and ex.language and ex.language.compiled:
                    problem = ex.compile()   # before the exercise's time starts
                with ex.time_limit():
                    _judge(ex, lab.scenarios[spec.file], problem)
                judged = ex.ordered_results()
                judged[0].notes[:0] = ex.compiler_notes
                _note_limit_hits(ex, containers, judged)
            finally:
                ex.stop_programs(empty_scratch=True)   # the next exercise starts clear
            results.extend(judged)
            timelines[spec.file] = ex.timelines()
    return Scorecard(lab, results, time.monotonic() - started, submission.notes, timelines,
                     backend)


def _judge(ex: Exercise, scenario, problem: str | None) -> None:
    if problem:
        ex.fail_unjudged(problem)
        return
    try:
        scenario(ex)
    except CheckFailed as failure:
        ex.fail_unjudged(str(failure))
        return
    unjudged = ex.unjudged()
    if unjudged:
        raise InfraError(f"lab bug: the {ex.spec.file} scenario never judged {', '.join(unjudged)}")


def _note_limit_hits(ex: Exercise, containers: Containers, results: list[CheckResult]) -> None:
    """Say under each failed check when the exercise's processes ran into a limit: "fork failed
    at the process limit" explains a silent program better than its missing output does."""
    try:
        hits = [hit for image in sorted(ex.images_used) for hit in containers.limit_hits(image)]
    except (CheckFailed, InfraError):
        return   # the container is gone: nothing to explain with
    for result in results:
        if not result.passed:
            result.notes.extend(hits)
