"""How a grade is shown: one readable line per check on the terminal, and results files."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .grading import DOCKER_BACKEND, Scorecard
from .timeline import story


def terminal(scorecard: Scorecard) -> str:
    lines = []
    told = set()   # timelines shown already: checks that failed together share one
    for r in scorecard.results:
        verdict = "SKIP" if r.skipped else "OK  " if r.passed else "FAIL"
        lines.append(f"{verdict} {r.score:>2}/{r.max_score:<2} {r.title}")
        lines.extend(f"            {note}" for note in r.notes + _skipped(r))
        if not r.passed:
            lines.extend(f"            {line}" for line in _failure(r, told))
    lines.extend(f"note: {note}" for note in scorecard.notes)
    if scorecard.backend != DOCKER_BACKEND:
        lines.append(f"graded by: {scorecard.backend}")
    lines.append(f"Score: {scorecard.score}/{scorecard.max_score}  ({scorecard.lab.spec.title}, "
                 f"graded in {scorecard.execution_time:.1f} s)")
    return "\n".join(lines)


def _failure(result, told: set) -> list[str]:
    """What is said under a failed check: what was observed, the hint, and what the learner's
    processes did (a timeline shown once; the checks after it that share it point back)."""
    lines = [f"observed: {result.observed}"] + ([f"hint: {result.hint}"] if result.hint else [])
    timeline = result.timeline
    if timeline is not None and timeline.rows:
        if id(timeline) in told:
            lines.append("what your processes did: as in the timeline above")
        else:
            told.add(id(timeline))
            lines.append(f"what your processes did ({timeline.title}; PIDs as the container "
                         "numbered them, times from the program's start):")
            lines.extend(f"  {line}" for line in story(timeline))
    return lines


def gradescope(scorecard: Scorecard) -> dict:
    """Gradescope's results.json (autograder specification). Each exercise's runs and each
    failed check's run, as timelines, go in `extra_data` (which Gradescope keeps and ignores),
    for the feedback page and the other exports to draw."""
    timelines, told = [], set()

    def index(timeline, exercise: str) -> int:
        for i, (shown, _) in enumerate(timelines):
            if shown is timeline:
                return i
        timelines.append((timeline, exercise))
        return len(timelines) - 1

    tests = []
    for r in scorecard.results:
        test = {
            "name": r.title,
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.passed else "failed",
            "output": "\n".join(r.notes + _skipped(r) + ([] if r.passed else _failure(r, told))),
        }
        if r.timeline is not None and not r.passed:
            test["extra_data"] = {"timeline": index(r.timeline, r.exercise)}
        tests.append(test)
    runs = {exercise: [index(t, exercise) for t in ts] for exercise, ts in scorecard.timelines.items()}
    return {
        "score": scorecard.score,
        "execution_time": round(scorecard.execution_time, 2),
        "output": f"{scorecard.lab.spec.title}: {scorecard.score}/{scorecard.max_score}"
                  + ("" if scorecard.backend == DOCKER_BACKEND
                     else f" (graded by {scorecard.backend})"),
        "tests": tests,
        "extra_data": {"timelines": [t.to_json() for t, _ in timelines], "runs": runs,
                       "backend": scorecard.backend},
    }


def _skipped(result) -> list[str]:
    return [f"skipped: {result.skipped}"] if result.skipped else []


@contextmanager
def replacing(path: Path):
    """A temporary file beside `path` to write, which becomes `path` only once it is whole; if
    the writing fails (a full disk), it is removed: nothing half-written is left, least of all
    as if complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: dict) -> None:
    """Write atomically: a reader never sees half a results file, even after a power loss
    (the data is on disk before the rename makes it the results file)."""
    with replacing(path) as tmp, tmp.open("w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
