"""zombielab packaged for the platforms courses already grade on, with the engine-free backend
(local.py) inside: PrairieLearn's external grading image and a question folder for a lab, and
Gradescope's autograder zip.

    zombielab package prairielearn lab3 --out build/prairielearn

writes OUT/image (a Dockerfile and its context: the grader, every lab, the Python libraries the
grader needs as wheels, and the entrypoint) and builds it as IMAGE, and writes
OUT/questions/lab3 (info.json, question.html), which a course copies into its repository.

    zombielab package gradescope lab3 --out build/gradescope

writes OUT/lab3-autograder.zip: setup.sh, run_autograder, the grader, every lab and the
wheels, for Gradescope's "zip file upload" autograder.
"""
from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import uuid
import zipfile
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
# The grader's code and the labs' reference solutions are root's alone: a learner's program
# that printed them would leak them in its feedback.
RUN chmod -R go-rwx /opt/zombielab/root /opt/zombielab/site && chmod 0755 {ENTRYPOINT}
WORKDIR /
ENTRYPOINT ["{ENTRYPOINT}"]
"""

# PrairieLearn starts this as the container's first process. tini takes PID 1 so that orphans of
# the learner's programs have an init that reaps them, as in the lab's own container. The
# question's tests/lab.yaml (PrairieLearn mounts the question's tests/ at /grade/tests), if it
# has one, stands for the image's: a course sets points, names, hints and time limits in its
# own repository; the checks themselves come from the image. The grader writes results.json
# whatever happens (a grader error, such as a lab.yaml that does not fit the image's checks, is
# "not gradable", never a zero) and exits 0 once it has: PrairieLearn reads the results only
# after a 0.
ENTRYPOINT_SCRIPT = """\
#!/bin/sh
set -e
mkdir -p /grade/results
labs=/opt/zombielab/root/labs
if [ -f /grade/tests/lab.yaml ] && [ -d "$labs/$1" ]; then
    mkdir -p -m 0700 /opt/zombielab/question
    rm -rf "/opt/zombielab/question/$1"
    cp -r "$labs/$1" /opt/zombielab/question/
    cp /grade/tests/lab.yaml "/opt/zombielab/question/$1/lab.yaml"
    labs=/opt/zombielab/question
fi
exec /usr/bin/tini -- env PYTHONPATH=/opt/zombielab/root:/opt/zombielab/site \\
    ZOMBIELAB_LABS="$labs" python3 -m grader grade --engine-free "$1" /grade/student \\
    --prairielearn /grade/results/results.json
"""

# Gradescope runs setup.sh once, as root, when it builds the autograder's image (with a network),
# and run_autograder as root for each submission.
SETUP_SH = """\
#!/usr/bin/env bash
# What a lab container has (python3, gcc and the C library's headers, ps, tini, the probe), then
# the grader's libraries from the wheels in this zip. The learner's programs run as a uid of
# each grading's own, which needs no account.
set -euo pipefail
source=/autograder/source
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
    python3 procps tini gcc libc6-dev >/dev/null
mkdir -p /home/learner/work /opt/zombielab/lab
install -o root -g root -m 0755 "$source/zombielab/grader/probe.py" /opt/zombielab/probe.py
# A wheel is a zip of what goes into site-packages: those for this python3 (or for any).
python3 - "$source/wheels" /opt/zombielab/site <<'PY'
import pathlib, sys, zipfile
ours = f"cp{sys.version_info.major}{sys.version_info.minor}"
for wheel in pathlib.Path(sys.argv[1]).glob("*.whl"):
    if wheel.name.split("-")[-3] in (ours, "py3", "py2.py3"):
        zipfile.ZipFile(wheel).extractall(sys.argv[2])
PY
# The grader's code and the labs' reference solutions are root's alone: a learner's program
# that printed them would leak them in its feedback.
chmod -R go-rwx "$source" /opt/zombielab/site
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Grade /autograder/submission as {lab} without an engine into Gradescope's results.json. tini
# -s adopts and reaps the orphans of the learner's programs (Gradescope's PID 1 may not). A
# grader error writes no results, so Gradescope says the autograder failed: never a zero.
exec tini -s -- env PYTHONPATH=/autograder/source/zombielab:/opt/zombielab/site \\
    python3 -m grader grade --engine-free {lab} /autograder/submission \\
    --json /autograder/results/results.json
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


QUESTION_LAB_YAML = """\
# This question's checks: their points, names, hints and time limits are yours to change here.
# Their ids and what they judge come with the grading image: a check it does not have, or one
# left out, makes every submission "not gradable", with the reason.
"""


def prairielearn(lab_name: str, out: Path, image: str = IMAGE) -> list[Path]:
    """Write the image's context and the lab's question folder into out; build the image (one
    image grades every lab)."""
    lab = labspec.load(lab_name)
    context = _image_context(out / "image")
    _build(context, image)
    return [context, question(lab, out, image)]


def gradescope(lab_name: str, out: Path) -> list[Path]:
    """The autograder zip for the lab: setup.sh and run_autograder at its root, beside the
    grader, every lab and the wheels for the Pythons a Gradescope image may have."""
    lab = labspec.load(lab_name)
    source = out / f"{lab.name}-autograder"
    _fresh(source)
    _code(source / "zombielab")
    _wheels(source / "wheels", ["3.10", "3.11", "3.12", "3.13"])
    (source / "setup.sh").write_text(SETUP_SH)
    (source / "run_autograder").write_text(RUN_AUTOGRADER.format(lab=lab.name))
    archive = out / f"{lab.name}-autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                # A fixed date: the same files make the same zip.
                info = zipfile.ZipInfo(str(path.relative_to(source)), (1980, 1, 1, 0, 0, 0))
                executable = path.name in ("setup.sh", "run_autograder")
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                zip_file.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    shutil.rmtree(source)
    return [archive]


def _image_context(context: Path) -> Path:
    _fresh(context)
    _code(context / "zombielab")
    _wheels(context / "wheels", ["3.11"])   # the lab image's, Debian bookworm's
    (context / "Dockerfile").write_text(DOCKERFILE)
    (context / "grade-prairielearn").write_text(ENTRYPOINT_SCRIPT)
    return context


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _code(code: Path) -> None:
    """The grader and every lab, as the grader finds them (ROOT/grader, ROOT/labs, the seccomp
    profiles in ROOT/images that a lab.yaml may name)."""
    shutil.copytree(ROOT / "grader", code / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "labs", code / "labs", ignore=shutil.ignore_patterns("__pycache__"))
    (code / "images").mkdir()
    for profile in (ROOT / "images").glob("*.json"):
        shutil.copy(profile, code / "images")


def _wheels(folder: Path, pythons: list[str]) -> None:
    """The grader's libraries, at the versions installed here, as wheels for these Python
    versions on this machine's architecture."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    constraints = folder.parent / "constraints.txt"
    folder.mkdir(parents=True)
    constraints.write_text(frozen)
    arch = platform.machine()
    try:
        for version in pythons:
            abi = "cp" + version.replace(".", "")
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                 "-d", str(folder), "-c", str(constraints), "--only-binary=:all:",
                 "--python-version", version, "--implementation", "cp", "--abi", abi,
                 "--platform", f"manylinux2014_{arch}", "--platform", f"manylinux_2_17_{arch}",
                 *RUNTIME], capture_output=True, text=True)
            if done.returncode != 0:
                raise InfraError(f"could not download the grader's libraries for Python {version}: "
                                 f"{done.stderr.strip()[-500:]}")
    finally:
        constraints.unlink()


def _build(context: Path, image: str) -> None:
    done = subprocess.run(["docker", "build", "-q", "-t", image, str(context)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise InfraError(f"building {image} failed: {done.stderr.strip()[-800:]}")


def question(lab: labspec.Lab, out: Path, image: str = IMAGE) -> Path:
    """out/questions/LAB: info.json and question.html, a question that collects the lab's
    files and has them graded externally by the image; tests/lab.yaml, the lab's, for the
    course to adjust (see ENTRYPOINT_SCRIPT)."""
    folder = out / "questions" / lab.name
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    (folder / "tests" / "lab.yaml").write_text(QUESTION_LAB_YAML + (lab.folder / "lab.yaml").read_text())
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
