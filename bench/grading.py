"""make bench, one student: each lab's reference graded once, as a student's `make submit`
does (`python -m grader grade`, a grader process per lab), and once more inside this process,
where what observing the processes costs can be counted: the /proc probes' CPU time, and the
process recorder's (bpftrace, and its programs in the kernel while the kernel's BPF statistics
are on)."""
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Cost, measured
from grader import corpus, labspec
from grader.grading import grade
from grader.proc import Probe
from grader.recorder import Recorder
from grader.engine import connect

ROOT = Path(__file__).resolve().parent.parent
BPF_STATS = Path("/proc/sys/kernel/bpf_stats_enabled")


@dataclass
class Graded:
    checks: int
    submitted: Cost     # python -m grader grade, start to end
    observing: float    # CPU seconds the probes and the recorder took, in the in-process run
    in_process: Cost


def submitted(lab: labspec.Lab, reference: Path) -> Cost:
    cost, run = measured(lambda: subprocess.run(
        [sys.executable, "-m", "grader", "grade", lab.name, str(reference)],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True))
    if run.returncode != 0:
        raise SystemExit(f"{lab.name}'s reference did not get full marks:\n{run.stdout[-2000:]}")
    return cost


def observation() -> float:
    """CPU seconds observation has cost so far: closed probes, and the recorder."""
    recorder = Recorder.shared().cpu_used() or (0.0, 0.0)
    return Probe.cpu_spent + sum(recorder)


def graded_in_process(lab: labspec.Lab, reference: Path, client) -> tuple[int, float, Cost]:
    seen = observation()
    cost, result = measured(lambda: grade(lab, reference, client=client))
    if result.score != result.max_score:
        raise SystemExit(f"{lab.name}'s reference did not get full marks in-process")
    return len(result.results), observation() - seen, cost


def one_student() -> tuple[dict[str, Graded], Cost]:
    """Each lab's figures, and what starting the recorder cost this process."""
    client = connect()
    Probe.cpu_spent = 0.0   # each probe tells its CPU time when closed
    stats_were = BPF_STATS.read_text() if os.geteuid() == 0 else None
    if stats_were is not None:
        BPF_STATS.write_text("1")
    try:
        started, _ = measured(Recorder.shared)
        labs = {}
        for name in labspec.available():
            lab = labspec.load(name)
            with tempfile.TemporaryDirectory() as folder:
                reference = corpus.reference(lab, Path(folder) / "reference")
                cost = submitted(lab, reference)
                checks, watched, in_process = graded_in_process(lab, reference, client)
            labs[name] = Graded(checks, cost, watched, in_process)
        return labs, started
    finally:
        if stats_were is not None:
            BPF_STATS.write_text(stats_were)
