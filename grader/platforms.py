"""zombielab packaged for the platforms courses already grade on, with the engine-free backend
(local.py) inside: PrairieLearn's external grading image and a question folder for a lab.

    zombielab package prairielearn lab3 --out build/prairielearn

writes OUT/image (a Dockerfile and its context: the grader, every lab, the Python libraries the
grader needs as wheels, and the entrypoint) and builds it as IMAGE, and writes
OUT/questions/lab3 (info.json, question.html), which a course copies into its repository.
"""
from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from . import labspec
from .errors import InfraError
from .languages import alternatives

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "zombielab/prairielearn"
ENTRYPOINT = "/opt/zombielab/grade-prairielearn"
RUNTIME = ["docker", "pexpect", "PyYAML", "pydantic"]   # pyproject.toml's dependencies
PL_TIMEOUT_MAX = 600   # seconds: PrairieLearn's most for a grading job

DOCKERFILE = f"""\
# zombielab's grader for PrairieLearn's external grading (made by `make prairielearn`): the lab
# image (tini, python3, gcc, the probe, the learner account) with the grader, every lab and the
# grader's libraries, all root-owned. PrairieLearn runs {ENTRYPOINT} LAB as the container's
# first process, with /grade mounted.
FROM zombielab/tini
USER root
COPY wheels /tmp/wheels
# A wheel is a zip of what goes into site-packages: no pip in the image, no network.
RUN for wheel in /tmp/wheels/*.whl; do python3 -m zipfile -e "$wheel" /opt/zombielab/site; done \\
 && rm -r /tmp/wheels
COPY zombielab /opt/zombielab/root
COPY grade-prairielearn {ENTRYPOINT}
RUN chmod -R a+rX,go-w /opt/zombielab && chmod 0755 {ENTRYPOINT}
WORKDIR /
ENTRYPOINT ["{ENTRYPOINT}"]
"""

# PrairieLearn starts this as the container's first process. tini takes PID 1 so that orphans of
# the learner's programs have an init that reaps them, as in the lab's own container. The
# grader writes results.json whatever happens (a grader error is "not gradable", never a zero)
# and exits 0 once it has: PrairieLearn reads the results only after a 0.
ENTRYPOINT_SCRIPT = """\
#!/bin/sh
set -e
mkdir -p /grade/results
exec /usr/bin/tini -- env PYTHONPATH=/opt/zombielab/root:/opt/zombielab/site \\
    python3 -m grader grade --engine-free "$1" /grade/student \\
    --prairielearn /grade/results/results.json
"""

QUESTION_HTML = """\
<pl-question-panel>
  <p><strong>{title}</strong>: {topic}.</p>
  <p>Upload your files: each program in Python or in C, not both ({upload}). They are run and
  judged by what their processes really did, as <code>make submit</code> judges them in the
  lab's container. Without a Docker engine here, some checks cannot be judged; each says why.</p>
</pl-question-panel>

<pl-file-upload optional-file-names="{upload}"></pl-file-upload>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def prairielearn(lab_name: str, out: Path, image: str = IMAGE) -> list[Path]:
    """Write the image's context and the lab's question folder into out; build the image."""
    lab = labspec.load(lab_name)
    context = _image_context(out / "image")
    _build(context, image)
    return [context, _question(lab, out / "questions" / lab.name, image)]


def _image_context(context: Path) -> Path:
    if context.exists():
        shutil.rmtree(context)
    code = context / "zombielab"
    shutil.copytree(ROOT / "grader", code / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "labs", code / "labs", ignore=shutil.ignore_patterns("__pycache__"))
    (code / "images").mkdir()
    for profile in (ROOT / "images").glob("*.json"):   # seccomp profiles lab.yaml may name
        shutil.copy(profile, code / "images")
    _wheels(context / "wheels")
    (context / "Dockerfile").write_text(DOCKERFILE)
    (context / "grade-prairielearn").write_text(ENTRYPOINT_SCRIPT)
    return context


def _wheels(folder: Path) -> None:
    """The grader's libraries, at the versions installed here, as wheels for the image's Python
    (Debian bookworm's 3.11) on this machine's architecture."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    constraints = folder.parent / "constraints.txt"
    folder.mkdir(parents=True)
    constraints.write_text(frozen)
    arch = platform.machine()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
         "-d", str(folder), "-c", str(constraints), "--only-binary=:all:",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         "--platform", f"manylinux2014_{arch}", "--platform", f"manylinux_2_17_{arch}",
         *RUNTIME], capture_output=True, text=True)
    constraints.unlink()
    if done.returncode != 0:
        raise InfraError(f"could not download the grader's libraries: {done.stderr.strip()[-500:]}")


def _build(context: Path, image: str) -> None:
    done = subprocess.run(["docker", "build", "-q", "-t", image, str(context)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise InfraError(f"building {image} failed: {done.stderr.strip()[-800:]}")


def _question(lab: labspec.Lab, folder: Path, image: str) -> Path:
    """info.json and question.html: a question that collects the lab's files and has them
    graded externally by the image."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [name for e in lab.spec.exercises for name in alternatives(e.file)]
    info = {
        # Stable across runs, so that copying it again updates the same question.
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"zombielab/{lab.name}")),
        "title": lab.spec.title,
        "topic": "Processes",
        "tags": ["zombielab", lab.name],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "entrypoint": f"{ENTRYPOINT} {lab.name}",
            "timeout": min(PL_TIMEOUT_MAX, int(sum(e.timeout for e in lab.spec.exercises)) + 60),
        },
    }
    (folder / "info.json").write_text(json.dumps(info, indent=2) + "\n")
    (folder / "question.html").write_text(QUESTION_HTML.format(
        title=lab.spec.title, topic=lab.spec.topic, upload=", ".join(names)))
    return folder
