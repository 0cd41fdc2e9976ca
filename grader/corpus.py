"""A lab's buggy corpus: patches against its reference solution (labs/<lab>/buggy/<check>/), one
classic mistake each, whose header names the checks it must fail ("Fails: a, b"). The tests
hold every patch to its header; make bench grades a class made of them."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .labspec import Lab


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


def patched(lab: Lab, patch: Path, target: Path) -> list[str]:
    """The reference copied to target with the patch applied; returns the files it changes."""
    shutil.copytree(lab.folder / "solution", target)
    subprocess.run(["git", "apply", str(patch)], cwd=target, check=True)
    return [line[len("+++ b/"):] for line in patch.read_text().splitlines()
            if line.startswith("+++ b/")]
