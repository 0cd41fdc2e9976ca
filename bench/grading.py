"""make bench, grading part: what grading each lab's reference costs, beside a bare container
start measured in the same run (absolute times move from run to run on these machines; the
ratios hold).

Per lab: the wall time, the whole machine's CPU time (the grader, the engine, the containers and
everything in them), each as a multiple of a bare `docker run --rm IMAGE true`; and what
observing the processes cost: the /proc probes' CPU time, and the process recorder's (bpftrace,
and its programs in the kernel, counted while the kernel's BPF statistics are on). The grader
runs in this process, as a batch's does: the recorder's start is paid once, and shown apart.
"""
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import labspec  # noqa: E402
from grader.grade import grade  # noqa: E402
from grader.proc import Probe  # noqa: E402
from grader.recorder import Recorder  # noqa: E402
from grader.sandbox import IMAGES, connect  # noqa: E402

ROUNDS = 3
BPF_STATS = Path("/proc/sys/kernel/bpf_stats_enabled")
# Issue 13's targets for one student's five labs, as multiples of a bare container start.
CPU_TARGET, WALL_TARGET = 20, 60


@dataclass
class Cost:
    wall: float
    cpu: float   # the whole machine's, in CPU seconds


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy since boot (/proc/stat: all but idle)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]   # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measured(action) -> tuple[Cost, object]:
    cpu, start = machine_cpu(), time.monotonic()
    result = action()
    return Cost(time.monotonic() - start, machine_cpu() - cpu), result


def timed(action) -> float:
    return measured(action)[0].wall


def bare_start(image: str) -> None:
    subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"],
                   check=True, stdout=subprocess.DEVNULL)


def bare_cost(image: str) -> Cost:
    runs = [measured(lambda: bare_start(image))[0] for _ in range(ROUNDS)]
    return Cost(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))


def observation() -> float:
    """CPU seconds observation has cost so far: closed probes, and the recorder."""
    recorder = Recorder.shared().cpu_used() or (0.0, 0.0)
    return Probe.cpu_spent + sum(recorder)


def main() -> None:
    client = connect()
    Probe.cpu_spent = 0.0   # each probe tells its CPU time when closed
    bare = bare_cost(IMAGES["tini"])
    print(f"bare `docker run --rm {IMAGES['tini']} true`: {bare.wall:.2f} s wall, "
          f"{bare.cpu:.2f} CPU-s (median of {ROUNDS})")
    stats_were = BPF_STATS.read_text() if os.geteuid() == 0 else None
    if stats_were is not None:
        BPF_STATS.write_text("1")
    try:
        started, _ = measured(Recorder.shared)
        print(f"process recorder ({Recorder.shared().place}): started in {started.wall:.2f} s, "
              "once per grader process")
        print(f"{'lab':<6}{'checks':>7}{'wall s':>8}{'× bare':>8}{'CPU s':>8}{'× bare':>8}"
              f"{'observing':>11}")
        total = Cost(0.0, 0.0)
        for name in labspec.available():
            lab = labspec.load(name)
            seen = observation()
            cost, result = measured(lambda: grade(lab, lab.folder / "solution", client=client))
            watched = observation() - seen
            assert result.score == result.max_score, f"{name}'s reference must get full marks"
            total.wall += cost.wall
            total.cpu += cost.cpu
            print(f"{name:<6}{len(result.results):>7}{cost.wall:>8.1f}{cost.wall / bare.wall:>8.0f}"
                  f"{cost.cpu:>8.1f}{cost.cpu / bare.cpu:>8.0f}"
                  f"{watched:>7.2f} s {100 * watched / cost.cpu:>2.0f}%")
        print(f"{'all':<6}{'':>7}{total.wall:>8.1f}{total.wall / bare.wall:>8.0f}"
              f"{total.cpu:>8.1f}{total.cpu / bare.cpu:>8.0f}")
        for what, ratio, target in (("CPU", total.cpu / bare.cpu, CPU_TARGET),
                                    ("wall time", total.wall / bare.wall, WALL_TARGET)):
            verdict = "met" if ratio <= target else "MISSED"
            print(f"one student's {what}: {ratio:.0f}× a bare start; target {target}×: {verdict}")
    finally:
        if stats_were is not None:
            BPF_STATS.write_text(stats_were)


if __name__ == "__main__":
    main()
