"""make bench, a class: for every lab, a batch of mixed submissions (references, and patches of
the buggy corpus spread across it) graded by `python -m grader batch` at its default number of
graders, as course staff run it. Every verdict must be what it is graded alone: the references
full marks, each patch failing exactly the checks its header names."""
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Cost, measured
from grader import corpus, labspec
from grader.batch import default_workers

ROOT = Path(__file__).resolve().parent.parent
CLASS = int(os.environ.get("BENCH_CLASS", "12"))   # submissions per lab: half of them patches


@dataclass
class Batch:
    submissions: int
    workers: int
    cost: Cost
    wrong: list[str]    # verdicts that are not what they are graded alone

    @property
    def per_minute(self) -> float:
        return 60 * self.submissions / self.cost.wall


def a_class(lab: labspec.Lab, folder: Path) -> dict[str, set[str]]:
    """The class's submissions in folder: student -> the checks they must fail."""
    patches = corpus.patches(lab)
    buggy = [patches[i * len(patches) // (CLASS // 2)] for i in range(CLASS // 2)]
    expected = {}
    for i in range(CLASS - len(buggy)):
        corpus.reference(lab, folder / f"reference-{i}")
        expected[f"reference-{i}"] = set()
    for patch in buggy:
        student = f"{patch.parent.name}-{patch.stem}"
        corpus.patched(lab, patch, folder / student)
        expected[student] = corpus.fails(patch)
    return expected


def graded_batch(lab: labspec.Lab) -> Batch:
    names = {f"{e.file}: {c.name}": c.id for e in lab.spec.exercises for c in e.checks}
    with tempfile.TemporaryDirectory(prefix="zombielab-bench-") as tmp:
        klass, out = Path(tmp, "class"), Path(tmp, "results")
        expected = a_class(lab, klass)
        cost, run = measured(lambda: subprocess.run(
            [sys.executable, "-m", "grader", "batch", lab.name, str(klass), "--out", str(out)],
            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True))
        wrong = [] if run.returncode == 0 else [f"the batch exited {run.returncode}"]
        for student, fails in expected.items():
            path = out / "gradescope" / student / "results.json"
            if not path.exists():
                wrong.append(f"{student}: not graded")
                continue
            failed = {names[t["name"]] for t in json.loads(path.read_text())["tests"]
                      if t["status"] != "passed"}
            if failed != fails:
                wrong.append(f"{student}: failed {sorted(failed)}, not {sorted(fails)}")
    return Batch(len(expected), default_workers(lab), cost, wrong)
