"""What of a submission folder is graded: the one rule for which files go into the sandbox, and
why each file left out was."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .errors import SubmissionError


@dataclass
class Submission:
    files: dict[str, Path]          # regular files at the top of the folder, by name
    refused: dict[str, str]         # name: reason, for the exercise that needed it

    @classmethod
    def of(cls, folder: Path, limit_bytes: int) -> "Submission":
        """The regular files at the top of the folder, up to limit_bytes in all; links, folders
        and what does not fit are left out, each with a reason (a 50 MB file costs only its own
        exercise, not the whole submission)."""
        if not folder.is_dir():
            raise SubmissionError(f"{folder} is not a folder")
        submission, total = cls({}, {}), 0
        for path in sorted(folder.iterdir()):
            if path.is_symlink():
                submission.refused[path.name] = "links are not submitted"
            elif path.is_file() and not path.name.startswith("."):
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

    def problem(self, file: str) -> str | None:
        """Why an exercise's file cannot be run at all, or None: missing, refused, or Python
        that does not parse."""
        if file in self.refused:
            return f"{file} was not accepted: {self.refused[file]}"
        if file not in self.files:
            return f"{file} was not submitted"
        return syntax_problem(self.files[file]) if file.endswith(".py") else None   # a config file, say


def syntax_problem(path: Path) -> str | None:
    """Parse (never run) the file on the host, for a plain message instead of a traceback."""
    try:
        ast.parse(path.read_bytes(), filename=path.name)
    except SyntaxError as exc:
        return f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # NUL bytes, say
        return f"{path.name} cannot be read as Python: {exc}"
    return None
