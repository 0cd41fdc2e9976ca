"""make bench, batch part: 40 copies of Lab 3's reference graded by `python -m grader batch`
with 1 and with 2 workers; submissions per minute, the speed-up, and the batch's overhead per
submission (wall time beyond the grader's own time) next to a bare container start measured
in the same run.

BENCH_COPIES=N grades N copies instead (a quicker, rougher look)."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.grading import ROUNDS, bare_start, timed  # noqa: E402
from grader import labspec  # noqa: E402
from grader.sandbox import IMAGES  # noqa: E402

COPIES = int(os.environ.get("BENCH_COPIES", "40"))


def run_batch(submissions: Path, out: Path, workers: int) -> float:
    """Wall time of one batch, which must grade every copy."""
    elapsed = timed(lambda: subprocess.run(
        [sys.executable, "-m", "grader", "batch", "lab3", str(submissions), "--out", str(out),
         "--workers", str(workers)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL))
    results = [json.loads(p.read_text()) for p in (out / "gradescope").glob("*/results.json")]
    assert len(results) == COPIES, "every copy must be graded"
    # The reference should get full marks; say so when a loaded machine made a check fail.
    failed = Counter(t["name"] for r in results for t in r["tests"] if t["status"] != "passed")
    for name, count in failed.items():
        print(f"  WARNING: the reference failed {name!r} in {count} of {COPIES} copies")
    return elapsed


def grading_times(out: Path) -> list[float]:
    """Each submission's own grading time, as the grader measured it."""
    return [json.loads(p.read_text())["execution_time"] for p in (out / "gradescope").glob("*/results.json")]


def main() -> None:
    lab = labspec.load("lab3")
    image = IMAGES[lab.spec.image]
    bare = statistics.median(timed(lambda: bare_start(image)) for _ in range(ROUNDS))
    print(f"bare `docker run --rm {image} true`: median {bare:.2f} s over {ROUNDS} runs")
    with tempfile.TemporaryDirectory(prefix="zombielab-bench-") as tmp:
        submissions = Path(tmp, "class")
        for i in range(COPIES):
            shutil.copytree(lab.folder / "solution", submissions / f"student-{i:02d}")
        walls = {}
        for workers in (1, 2):
            out = Path(tmp, f"results-{workers}")
            walls[workers] = run_batch(submissions, out, workers)
            print(f"{COPIES} submissions, {workers} worker{'s' if workers > 1 else ''}: "
                  f"{walls[workers]:.1f} s, {60 * COPIES / walls[workers]:.1f} submissions/minute")
            if workers == 1:
                own = statistics.mean(grading_times(out))   # the mean adds up to the wall time
        per_submission = walls[1] / COPIES
        print(f"speed-up with 2 workers: {walls[1] / walls[2]:.2f}x")
        print(f"1 worker: {per_submission:.2f} s per submission, of which the grader's own time "
              f"(mean) {own:.2f} s; batch overhead {per_submission - own:.2f} s per submission "
              f"= {(per_submission - own) / bare:.1f}x a bare container start")


if __name__ == "__main__":
    main()
