"""A lab's reference solutions and buggy corpus: solution/ holds the reference of every exercise in
each language (zombie.py, zombie.c); buggy/<check>/*.patch are patches against it, one classic
mistake each, whose header names the checks it must fail ("Fails: a, b"). The tests hold every
reference to full marks and every patch to its header; make bench grades a class made of them."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .labspec import Lab
from .languages import LANGUAGES, PYTHON, Language, alternatives, language_of


def languages(lab: Lab) -> list[Language]:
    """The languages the lab has a whole reference in."""
    solution = lab.folder / "solution"
    programs = [e.file for e in lab.spec.exercises if None not in alternatives(e.file).values()]
    return [language for language in LANGUAGES
            if all((solution / (Path(file).stem + language.suffix)).is_file() for file in programs)]


def reference(lab: Lab, target: Path, language: Language = PYTHON) -> Path:
    """The reference in one language copied to target: solution/ without the programs written in
    the other languages (a submission answers each exercise in one)."""
    others = {other.suffix for other in LANGUAGES if other != language}
    target.mkdir(parents=True)
    for path in sorted((lab.folder / "solution").iterdir()):
        if path.is_file() and path.suffix not in others:
            shutil.copy(path, target / path.name)
    return target


def exercises(lab: Lab, files: list[str]) -> list[str]:
    """The exercises (lab.yaml's names) that these submitted files answer."""
    return [e.file for e in lab.spec.exercises if set(alternatives(e.file)) & set(files)]


def case_language(files: list[str]) -> Language:
    """The language of a corpus case, from the programs it holds (Python if none)."""
    return next((language_of(f) for f in files if language_of(f)), PYTHON)


def patches(lab: Lab) -> list[Path]:
    return sorted((lab.folder / "buggy").glob("*/*.patch"))


def header(patch: Path, field: str) -> str:
    """A field of a patch's header, e.g. "Fails: a, b" -> "a, b"."""
    for line in patch.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return line.partition(":")[2].strip()
    raise ValueError(f"{patch} has no {field}: line")


def fails(patch: Path) -> set[str]:
    """The ids of the checks the patched solution must fail."""
    return {word.strip() for word in header(patch, "Fails").split(",")}


def changed_files(patch: Path) -> list[str]:
    return [line[len("+++ b/"):] for line in patch.read_text().splitlines()
            if line.startswith("+++ b/")]


def patched(lab: Lab, patch: Path, target: Path) -> list[str]:
    """The reference (in the patch's language) copied to target with the patch applied; returns
    the files it changes."""
    files = changed_files(patch)
    reference(lab, target, case_language(files))
    subprocess.run(["git", "apply", str(patch)], cwd=target, check=True)
    return files
