"""Results kept on disk so that each grading need not make them again: tini's run of Lab 4's
battery, say, which would otherwise boot a dozen containers per grading, or a C submission's
binary, which a batch graded again or a student's unchanged file would otherwise compile anew.

An entry is named by a hash of everything it was made from (the grader's code, the lab's own
files, the images' IDs; for a binary, the submission's files), so a change to any of them makes
a new one; a result is written only when its maker says it is worth keeping. Graders running at once may both make it; each write
is atomic. ZOMBIELAB_CACHE sets the folder (default: $XDG_CACHE_HOME/zombielab, or
~/.cache/zombielab); one that cannot be written only means making the result each time.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

GRADER = Path(__file__).resolve().parent
# What in a lab's folder the grader runs on its own: not the learner's side of it.
LEARNERS_SIDE = {"solution", "starter", "buggy", "demos", "README.md"}


def folder() -> Path:
    chosen = os.environ.get("ZOMBIELAB_CACHE")
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zombielab"


def fingerprint(lab_folder: Path, image_ids: list[str]) -> str:
    """A hash of the grader's code, the lab's own files (not the learner's side of its folder)
    and the images."""
    digest = hashlib.sha256()
    files = [(GRADER, p) for p in GRADER.rglob("*") if p.suffix in (".py", ".bt")]
    files += [(lab_folder, p) for p in lab_folder.rglob("*")
              if not LEARNERS_SIDE & set(p.relative_to(lab_folder).parts)
              and "__pycache__" not in p.parts]
    for root, path in sorted(f for f in files if f[1].is_file()):
        digest.update(f"{root.name}/{path.relative_to(root)}".encode() + b"\0" +
                      path.read_bytes() + b"\0")
    for image_id in image_ids:
        digest.update(image_id.encode() + b"\0")
    return digest.hexdigest()[:20]


def remembered(name: str, key: str, make: Callable[[], tuple[object, bool]]) -> object:
    """The JSON value kept under name and key, or make()'s: make returns (value, keep)."""
    value = recalled(name, key)
    if value is None:
        value, worth_keeping = make()
        if worth_keeping:
            keep(name, key, value)
    return value


def recalled(name: str, key: str) -> object:
    """The JSON value kept under name and key, or None."""
    try:
        return json.loads((folder() / f"{name}-{key}.json").read_text())
    except (OSError, ValueError):
        return None


def keep(name: str, key: str, value: object) -> None:
    path = folder() / f"{name}-{key}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as f:
            json.dump(value, f)
        os.replace(f.name, path)
    except OSError:
        pass
