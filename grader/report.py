"""How a grade is shown: one readable line per check on the terminal, and results files."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .grading import Scorecard


def terminal(scorecard: Scorecard) -> str:
    lines = []
    for r in scorecard.results:
        verdict = "SKIP" if r.skipped else "OK  " if r.passed else "FAIL"
        lines.append(f"{verdict} {r.score:>2}/{r.max_score:<2} {r.title}")
        lines.extend(f"            {note}" for note in r.notes + _skipped(r))
        if not r.passed:
            lines.append(f"            observed: {r.observed}")
            if r.hint:
                lines.append(f"            hint: {r.hint}")
    lines.extend(f"note: {note}" for note in scorecard.notes)
    lines.append(f"Score: {scorecard.score}/{scorecard.max_score}  ({scorecard.lab.spec.title}, "
                 f"graded in {scorecard.execution_time:.1f} s)")
    return "\n".join(lines)


def gradescope(scorecard: Scorecard) -> dict:
    """Gradescope's results.json (autograder specification)."""
    return {
        "score": scorecard.score,
        "max_score": scorecard.max_score,
        "execution_time": round(scorecard.execution_time, 2),
        "output": f"{scorecard.lab.spec.title}: {scorecard.score}/{scorecard.max_score}",
        "tests": [
            {
                "name": r.title,
                "score": r.score,
                "max_score": r.max_score,
                "status": "passed" if r.passed else "failed",
                "output": "\n".join(r.notes + _skipped(r) + ([] if r.passed else
                                                 [f"observed: {r.observed}"] +
                                                 ([f"hint: {r.hint}"] if r.hint else []))),
            }
            for r in scorecard.results
        ],
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
