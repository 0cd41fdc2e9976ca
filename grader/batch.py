"""Batch grading of a class: every subfolder of SUBMISSIONS is one student's submission.

Each submission is graded by a child grader of its own (grader/graders.py), locally or on Dask
workers (grader/cluster.py); its outcome is written to RESULTS atomically the moment it
arrives, so that a batch stopped in any way resumes where it stopped.

RESULTS/ holds:
  batch.json                          the lab and exercises graded, so a resume grades the same
  gradescope/<student>/results.json   each graded submission (Gradescope's format)
  ungradable/<student>.json           {"gradable": false, "reason": ...}: graded again next run
  .batch.lock                         held by the batch grading into it (which it names)
  and the exports (grader/exports.py).
"""
from __future__ import annotations

import fcntl
import os
import queue
import socket
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import exports, feedback, labspec, report
from .engine import connect, engine_answers, remove_strays
from .errors import ENGINE
from .graders import GraderPool, task_outcome, time_limit
from .outage import OUTAGE_LIMIT, Outage

class SettingsMismatch(Exception):
    """RESULTS was graded with another lab or other exercises."""


class BatchRunning(Exception):
    """Another batch grades into the same results folder."""


class EngineDiskFull(Exception):
    """The Docker engine's own storage is full: no grading can go on until space is freed."""


class Store:
    """The results folder: what is graded, what is not, and atomic writes of both."""

    def __init__(self, out: Path, title: str = "zombielab"):
        self.out = out
        self.title = title   # the lab's, on each student's feedback page

    def hold(self, wait: bool) -> None:
        """One batch per results folder: an exclusive flock on RESULTS/.batch.lock, kept until
        this process ends. The kernel drops a lock with its holder however the holder dies
        (kill -9 too), so a dead batch's lock is taken over, never obeyed forever. The file
        says who holds it, for the batch that finds it taken."""
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / ".batch.lock", os.O_RDWR | os.O_CREAT, 0o644)   # not inherited
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 300, 0).decode(errors="replace").strip() or "another batch"
            if not wait:
                os.close(fd)
                raise BatchRunning(f"{self.out} is being graded by {holder}; wait for it to end, "
                                   "or run this with --wait to go on after it") from None
            print(f"waiting for {holder} to end", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"the batch with PID {os.getpid()} on {socket.gethostname()}, started "
                      f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        # fd stays open, and the lock held, until this process ends.

    def gradescope(self, student: str) -> Path:
        return self.out / "gradescope" / student / "results.json"

    def ungradable(self, student: str) -> Path:
        return self.out / "ungradable" / f"{student}.json"

    def graded(self, student: str) -> bool:
        return self.gradescope(student).is_file()

    def to_grade(self, everyone: dict[str, Path], regrade: bool) -> dict[str, Path]:
        """What a run grades: everyone on --regrade, else who has no results yet (a resume)."""
        return {s: f for s, f in everyone.items() if regrade or not self.graded(s)}

    def claim(self, lab: labspec.Lab, only: list[str] | None, regrade: bool) -> None:
        """Record what this folder holds; a resume with another lab or exercises would mix
        incomparable results, so it is refused unless everything is regraded."""
        settings = {"lab": lab.name, "title": lab.spec.title, "only": sorted(only or [])}
        path = self.out / "batch.json"
        if path.is_file() and not regrade:
            held = exports.read_json(path)
            if {k: held.get(k) for k in ("lab", "only")} != {k: settings[k] for k in ("lab", "only")}:
                raise SettingsMismatch(
                    f"{self.out} holds results of {held.get('lab')} "
                    f"(exercises: {', '.join(held.get('only') or ['all'])}); "
                    "use another --out, or --regrade to replace them")
        report.write_json(path, settings)

    def save(self, student: str, outcome: dict) -> None:
        if outcome["gradable"]:
            with report.replacing(self.gradescope(student).with_name(feedback.PAGE)) as page:
                feedback.write(outcome["results"], self.title, page)
            report.write_json(self.gradescope(student), outcome["results"])
            self.ungradable(student).unlink(missing_ok=True)
        else:
            report.write_json(self.ungradable(student),
                              {"gradable": False, "reason": outcome["reason"]})


def students(folder: Path) -> dict[str, Path]:
    """Student id (the subfolder's name) -> submission folder."""
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_dir() and not p.name.startswith(".")}


# A grading waits much of its time (its scenarios' deliberate pauses, the engine): at one
# grader per core make bench's class batches kept a third of the machine busy, and their
# verdicts hold at two per core.
GRADERS_PER_CORE = 2


def default_workers(lab: labspec.Lab) -> int:
    """Two graders per core, a core for each container a grader keeps busy at once (each may
    use a whole CPU), and fewer graders if memory is short."""
    at_once = lab.spec.containers_at_once
    cores = len(os.sched_getaffinity(0))
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return max(1, min(GRADERS_PER_CORE * cores // at_once,
                      memory_mb // (2 * lab.limits.memory_mb * at_once)))


class LocalPool:
    """Graders as child processes of this one, `workers` at a time, none starting while the
    engine is out."""

    def __init__(self, lab: labspec.Lab, only: list[str] | None, workers: int, say,
                 outage_limit: float = OUTAGE_LIMIT):
        self.lab, self.only = lab, only
        self.outage = Outage(ENGINE, engine_answers, outage_limit, say)
        self.graders = GraderPool()
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="grader")

    def submit(self, student: str, folder: Path) -> Future:
        return self.executor.submit(self._grade, folder)

    @staticmethod
    def outcome(future: Future) -> dict:
        return task_outcome(future)

    def _grade(self, folder: Path) -> dict:
        if not self.outage.gate():
            return {"gradable": False, "reason": self.outage.reason}
        return self.graders.run(self.lab.name, folder, self.only, time_limit(self.lab))

    def close(self) -> None:
        """Stop whatever still runs (after an interrupt) and reap every child."""
        self.graders.stop()
        self.executor.shutdown(wait=True, cancel_futures=True)


class Progress:
    """The live bar: done/total, full marks so far, rate and ETA (tqdm's)."""

    def __init__(self, total: int, already: int):
        from tqdm import tqdm   # the batch extra: `grade` alone works without it
        self.bar = tqdm(total=total, initial=already, unit="sub", file=sys.stderr,
                        dynamic_ncols=True, desc="grading")
        self.graded = self.full = self.ungradable = 0

    def update(self, outcome: dict) -> None:
        if outcome["gradable"]:
            self.graded += 1
            results = outcome["results"]
            self.full += results["score"] == feedback.max_score(results)
        else:
            self.ungradable += 1
        rate = f"{100 * self.full / self.graded:.0f}%" if self.graded else "-"
        self.bar.set_postfix_str(f"full marks {rate}, ungradable {self.ungradable}", refresh=False)
        self.bar.update(1)

    def say(self, text: str) -> None:
        self.bar.write(text, file=sys.stderr)

    def close(self) -> None:
        self.bar.close()


def grade_all(pool, todo: dict[str, Path], store: Store, progress: Progress) -> None:
    """Grade every submission in todo through pool, saving each outcome as it arrives; an
    infrastructure failure is tried once more before it is recorded. A grading an outage of
    the pool's engine or scheduler cut short counts as no attempt: it starts again once the
    outage is over; once the batch gives up on it, what is left is recorded as unreachable."""
    arrived: queue.Queue = queue.Queue()

    def start(student: str, attempt: int) -> None:
        future = pool.submit(student, todo[student])
        future.add_done_callback(lambda f: arrived.put((student, attempt, f)))

    for student in todo:
        start(student, 1)
    while todo:   # every attempt arrives exactly once
        student, attempt, future = arrived.get()
        outcome = pool.outcome(future)
        if pool.outage.explains(outcome):
            if not pool.outage.gave_up:
                pool.outage.then(lambda student=student, attempt=attempt: start(student, attempt))
                continue
            outcome = {"gradable": False, "reason": pool.outage.reason}
        if not outcome["gradable"] and "no space left on device" in outcome["reason"].lower():
            raise EngineDiskFull(outcome["reason"])
        if not outcome["gradable"] and attempt == 1 and not pool.outage.gave_up:
            progress.say(f"{student}: not graded ({outcome['reason']}); trying once more")
            start(student, 2)
            continue
        store.save(student, outcome)
        progress.update(outcome)
        del todo[student]


def summary(out: Path) -> tuple[str, int]:
    """The closing table and the number of submissions that could not be graded."""
    tally = exports.Tally.of(exports.Records(out))
    lines = [f"{'check':<72} passed"]
    for name, passed, total in tally.pass_rates:
        lines.append(f"{name[:72]:<72} {passed:>3}/{total:<3} {100 * passed / total:3.0f}%")
    if tally.scores:
        full = sum(s == tally.best for s in tally.scores)
        lines.append(f"graded {len(tally.scores)} of {tally.students}: mean "
                     f"{sum(tally.scores) / len(tally.scores):.1f}/{tally.best}, full marks {full}")
    lines.extend(f"NOT GRADED {student}: {reason}" for student, reason in tally.ungradable)
    return "\n".join(lines), len(tally.ungradable)


def run(lab_name: str, submissions: Path, out: Path, only: list[str] | None, workers: int | None,
        regrade: bool, scheduler: str | None, wait: bool = False,
        outage_limit: float = OUTAGE_LIMIT) -> int:
    """The batch command; its exit status: 0 when every submission was graded, 2 when some
    could not be (or nothing could start), 130 when interrupted."""
    lab = labspec.load(lab_name)
    lab.exercises(only)   # each named exercise is one of the lab's
    everyone = students(submissions)
    store = Store(out, lab.spec.title)
    store.hold(wait)
    store.claim(lab, only, regrade)
    todo = store.to_grade(everyone, regrade)
    if not scheduler:
        remove_strays(connect())        # containers of a batch killed with -9
    print(f"{lab.name}: {len(everyone)} submissions, {len(everyone) - len(todo)} already graded, "
          f"{len(todo)} to grade", file=sys.stderr)
    progress = Progress(len(everyone), len(everyone) - len(todo))
    try:
        if scheduler:
            from .cluster import DaskPool   # Dask is needed only for a cluster
            pool = DaskPool(scheduler, lab, only, progress.say, outage_limit)
        else:
            pool = LocalPool(lab, only, workers or default_workers(lab), progress.say, outage_limit)
    except BaseException:
        progress.close()
        raise
    try:
        grade_all(pool, todo, store, progress)
    except KeyboardInterrupt:
        progress.close()
        print(f"interrupted: {len(everyone) - len(todo)} of {len(everyone)} graded and saved; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    finally:
        progress.close()
        pool.close()
    table, not_graded = summary(out)
    print(table)
    for path in exports.export_all(out):
        print(f"wrote {path}")
    return 2 if not_graded else 0
