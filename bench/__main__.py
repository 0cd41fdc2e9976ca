"""make bench: what grading costs, as one table beside a bare container start measured in the
same run, and issue 13's targets, met or missed.

    python -m bench       (BENCH_CLASS=N: N submissions per lab in the class batch; default 12)
"""
from bench.batch import graded_batch
from bench.grading import one_student
from bench.measure import Cost, bare_cost
from grader import labspec
from grader.engine import IMAGES

# One student's five labs (python -m grader grade each), as multiples of a bare start; a class.
CPU_TARGET, WALL_TARGET = 20, 60
CLASS_SIZE, CLASS_MINUTES = 200, 15


def main() -> None:
    bare = bare_cost(IMAGES["tini"])
    print(f"bare `docker run --rm {IMAGES['tini']} true`: {bare.wall:.2f} s wall, "
          f"{bare.cpu:.2f} CPU-s (median of 3)")
    labs, recorder = one_student()
    print(f"one student, each lab's reference by `python -m grader grade` (the observing share "
          f"from a run inside one grader, whose recorder started in {recorder.wall:.2f} s)")
    print(f"{'lab':<6}{'checks':>7}{'wall s':>8}{'× bare':>8}{'CPU s':>8}{'× bare':>8}"
          f"{'observing':>11}{'class':>7}{'graders':>8}{'wall s':>8}{'CPU s':>8}{'per min':>8}")
    total, projected, wrong = Cost(0.0, 0.0), 0.0, []
    for name, graded in labs.items():
        batch = graded_batch(labspec.load(name))
        cost = graded.submitted
        total += cost
        projected += CLASS_SIZE / batch.per_minute
        wrong += [f"{name}: {w}" for w in batch.wrong]
        print(f"{name:<6}{graded.checks:>7}{cost.wall:>8.1f}{cost.wall / bare.wall:>8.0f}"
              f"{cost.cpu:>8.1f}{cost.cpu / bare.cpu:>8.0f}"
              f"{100 * graded.observing / graded.in_process.cpu:>10.0f}%"
              f"{batch.submissions:>7}{batch.workers:>8}{batch.cost.wall:>8.1f}{batch.cost.cpu:>8.1f}"
              f"{batch.per_minute:>8.1f}")
    print(f"{'all':<6}{'':>7}{total.wall:>8.1f}{total.wall / bare.wall:>8.0f}"
          f"{total.cpu:>8.1f}{total.cpu / bare.cpu:>8.0f}")
    for line in wrong:
        print(f"WRONG VERDICT in the class batch: {line}")
    for what, value, target, unit in (
            ("one student's CPU", total.cpu / bare.cpu, CPU_TARGET, "× a bare start"),
            ("one student's wall time", total.wall / bare.wall, WALL_TARGET, "× a bare start"),
            (f"a class of {CLASS_SIZE} × {len(labs)} labs, projected", projected, CLASS_MINUTES,
             " minutes")):
        verdict = "met" if value <= target else "MISSED"
        print(f"{what}: {value:.0f}{unit}; target {target}{unit}: {verdict}")
    if wrong:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
