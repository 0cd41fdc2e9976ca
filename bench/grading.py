"""make bench: how long grading Lab 3's reference takes, next to a bare container start of the
same image measured in the same run, and the ratio between them."""
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import labspec  # noqa: E402
from grader.grade import grade  # noqa: E402
from grader.sandbox import IMAGES, connect  # noqa: E402

ROUNDS = 3


def timed(action) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


def bare_start(image: str) -> None:
    subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    lab = labspec.load("lab3")
    client = connect()
    image = IMAGES[lab.spec.image]
    bare = [timed(lambda: bare_start(image)) for _ in range(ROUNDS)]
    print(f"bare `docker run --rm {image} true`: median {statistics.median(bare):.2f} s "
          f"over {ROUNDS} runs")
    runs = []
    for _ in range(ROUNDS):
        result = grade(lab, lab.folder / "solution", client=client)
        assert result.score == result.max_score, "the reference must get full marks"
        runs.append(result.execution_time)
    graded = statistics.median(runs)
    print(f"grading lab3's reference ({len(result.results)} checks): median {graded:.2f} s "
          f"over {ROUNDS} runs")
    print(f"ratio: {graded / statistics.median(bare):.1f}x a bare container start")


if __name__ == "__main__":
    main()
