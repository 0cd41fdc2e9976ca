"""What of a submission folder is graded: the one rule for which files go into the sandbox, and
why each file left out was."""
from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import SubmissionError
from .feedback import PAGE as FEEDBACK_PAGE
from .languages import alternatives


@dataclass
class Submission:
    files: dict[str, Path]          # regular files at the top of the folder, by name
    refused: dict[str, str]         # name: reason, for the exercise that needed it

    @classmethod
    def of(cls, folder: Path, limit_bytes: int) -> "Submission":
        """The regular files at the top of the folder, up to limit_bytes in all; links, folders
        and what does not fit are left out, each with a reason (a 50 MB file costs only its own
        exercise, not the whole submission). Hidden files and the last grading's feedback page
        (which `make submit` writes into the workspace) are not the learner's work."""
        if not folder.is_dir():
            raise SubmissionError(f"{folder} is not a folder")
        submission, total = cls({}, {}), 0
        for path in sorted(folder.iterdir()):
            if path.is_symlink():
                submission.refused[path.name] = "links are not submitted"
            elif path.is_file() and not path.name.startswith(".") and path.name != FEEDBACK_PAGE:
                size = path.stat().st_size
                if total + size > limit_bytes:
                    submission.refused[path.name] = (
                        f"it is {size / 2**20:.1f} MB, and a submission may hold {limit_bytes // 2**20} MB")
                else:
                    submission.files[path.name] = path
                    total += size
        return submission

    @property
    def notes(self) -> list[str]:
        """Shown once, under the report."""
        return [f"skipped {name}: {why}" for name, why in self.refused.items()]

    def answer(self, exercise: str, starters: Path | None = None) -> tuple[str | None, str | None]:
        """The file that answers an exercise (zombie.py or zombie.c for lab.yaml's zombie.py), or
        why none can be run: missing, refused, submitted in two languages, or Python that does
        not parse. The workspace starts with a starter in each language: one left as it was
        (the same bytes as in `starters`) is not an answer beside the other."""
        candidates = list(alternatives(exercise))
        present = [name for name in candidates if name in self.files]
        if len(present) > 1 and starters is not None:
            present = [name for name in present if not _unchanged(self.files[name], starters / name)] \
                or present[:1]
        if len(present) > 1:
            return None, f"both {' and '.join(present)} were submitted: keep the one to be graded"
        if present:
            name = present[0]
            return name, syntax_problem(self.files[name]) if name.endswith(".py") else None
        refused = [name for name in candidates if name in self.refused]
        if refused:
            return None, f"{refused[0]} was not accepted: {self.refused[refused[0]]}"
        others = [name for name in candidates if name != exercise]
        return None, f"{exercise} was not submitted" + (f" (nor {' nor '.join(others)})" if others else "")


def _unchanged(path: Path, starter: Path) -> bool:
    return starter.is_file() and path.read_bytes() == starter.read_bytes()


# CPython 3.11's parser keeps its recursion depth in shared state: two threads parsing at once
# (gradings side by side in one process) can fail with "AST constructor recursion depth
# mismatch" (python/cpython gh-106905). One parse at a time.
_PARSING = threading.Lock()


def syntax_problem(path: Path) -> str | None:
    """Parse (never run) the file on the host, for a plain message instead of a traceback."""
    try:
        with _PARSING:
            ast.parse(path.read_bytes(), filename=path.name)
    except SyntaxError as exc:
        return f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # NUL bytes, say
        return f"{path.name} cannot be read as Python: {exc}"
    return None
