"""The languages a learner may write an exercise in: an exercise named `zombie.py` in lab.yaml is
graded from `zombie.py` or `zombie.c`, with the same checks. What differs is only how the
program is started, and that C is compiled first, in the grading container, as the learner."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from .sandbox import WORKDIR


@dataclass(frozen=True)
class Language:
    name: str
    suffix: str
    compiled: bool

    def program(self, file: str) -> str:
        """What the kernel execs for the learner's program: the interpreter, or the binary."""
        return "/usr/bin/python3" if not self.compiled else f"{WORKDIR}/{PurePath(file).stem}"

    def command(self, file: str) -> list[str]:
        """The command line that starts the learner's program, in WORKDIR. A binary is started
        by its full path: the kernel's record keeps the path as exec was given it, and then
        names the program as `program` does."""
        return ["python3", file] if not self.compiled else [self.program(file)]


PYTHON = Language("Python", ".py", compiled=False)
C = Language("C", ".c", compiled=True)
LANGUAGES = (PYTHON, C)


def alternatives(exercise_file: str) -> dict[str, Language]:
    """The files that may answer an exercise: its name in every language for a program
    (zombie.py, zombie.c), the name alone for anything else (pid_max.conf)."""
    path = PurePath(exercise_file)
    if path.suffix not in {language.suffix for language in LANGUAGES}:
        return {exercise_file: None}
    return {path.stem + language.suffix: language for language in LANGUAGES}


def language_of(file: str) -> Language | None:
    return next((language for language in LANGUAGES if file.endswith(language.suffix)), None)
