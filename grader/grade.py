"""Grade one submission: a fresh sandbox, the probe, then each exercise's scenario in turn."""
from __future__ import annotations

import ast
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import docker

from .errors import CheckFailed, InfraError, SubmissionError
from .exercise import CheckResult, Exercise
from .labspec import Lab
from .proc import Probe
from .recorder import Recorder
from .sandbox import IMAGES, LEARNER_UID, Sandbox, connect, remove_strays


@dataclass
class Grade:
    lab: Lab
    results: list[CheckResult]
    execution_time: float
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_score for r in self.results)


@dataclass
class Submission:
    """What of a submission folder goes into the sandbox, and why the rest does not."""
    files: dict[str, Path]          # regular files at the top of the folder, by name
    refused: dict[str, str]         # name: reason, for the exercise that needed it

    @property
    def notes(self) -> list[str]:
        """Shown once, under the report."""
        return [f"skipped {name}: {why}" for name, why in self.refused.items()]


def submitted_files(folder: Path, limit_bytes: int) -> Submission:
    """The regular files at the top of the submission folder, up to limit_bytes in all; links,
    folders and what does not fit are left out, each with a reason (a 50 MB file costs only
    its own exercise, not the whole submission)."""
    if not folder.is_dir():
        raise SubmissionError(f"{folder} is not a folder")
    submission, total = Submission({}, {}), 0
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            submission.refused[path.name] = "links are not submitted"
        elif path.is_file() and not path.name.startswith("."):
            size = path.stat().st_size
            if total + size > limit_bytes:
                submission.refused[path.name] = (
                    f"it is {size / 2**20:.1f} MB, and a submission may hold {limit_bytes // 2**20} MB")
            else:
                submission.files[path.name] = path
                total += size
    return submission


def syntax_problem(path: Path) -> str | None:
    """Parse (never run) the file on the host, for a plain message instead of a traceback."""
    try:
        ast.parse(path.read_bytes(), filename=path.name)
    except SyntaxError as exc:
        return f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # NUL bytes, say
        return f"{path.name} cannot be read as Python: {exc}"
    return None


class Containers:
    """The submission's sandboxes, one per image, each started when first needed and with its
    own probe; all removed when the `with` block ends, however it ends. Sibling exercises in
    other threads may ask for them at once."""

    def __init__(self, client, lab: Lab, files: dict[str, Path]):
        self.client, self.lab, self.files = client, lab, files
        self.started: dict[str, tuple[Sandbox, Probe]] = {}
        self.stack = ExitStack()
        self.lock = threading.Lock()
        self.counted: dict[str, dict[str, int]] = {}   # limit counters, as last reported
        self.discarded_hits: dict[str, list[str]] = {}  # of containers removed since

    def __enter__(self) -> "Containers":
        Recorder.shared()   # before any container starts, so that each is recorded from its start
        return self

    def __exit__(self, *exc_info) -> None:
        self.stack.close()

    def sandbox(self, image: str, command: list[str] | None = None, pids: int | None = None) -> Sandbox:
        """A new, not yet entered sandbox of this lab, holding the submission and the lab's
        support files (with its own pids limit, if given)."""
        limits = self.lab.limits if pids is None else replace(self.lab.limits, pids=pids)
        return Sandbox(self.client, image, limits, self.files,
                       self.lab.folder / "support", command, self.lab.confinement)

    def sandboxes(self, images: list[str]) -> list[Sandbox]:
        """The started containers of these images."""
        with self.lock:
            return [self.started[image][0] for image in images if image in self.started]

    def image_id(self, image: str) -> str:
        try:
            return self.client.images.get(IMAGES[image]).id
        except docker.errors.ImageNotFound as exc:
            raise InfraError(f"image {IMAGES[image]} is missing: run `make images`") from exc

    def get(self, image: str) -> tuple[Sandbox, Probe]:
        with self.lock:
            return self._get(image)

    def clean(self, image: str) -> None:
        """After a program run: end the learner's processes in the image's container, or
        remove the container if that failed or it is unfit for the next run (a starved probe,
        PIDs held by zombies no one reaps); the next get() then starts a fresh one."""
        with self.lock:
            entry = self.started.get(image)
        if entry is None:
            return
        sandbox, probe = entry
        if probe.starved or not (_nothing_left(probe) or sandbox.kill_learner_processes()):
            try:    # what it ran into still explains the verdict
                hits = self._new_hits(image, probe)
            except (CheckFailed, InfraError):
                hits = []
            with self.lock:
                if self.started.get(image) is not entry:
                    return   # a sibling exercise's thread removed it already
                del self.started[image]
                self.counted.pop(image, None)
                self.discarded_hits.setdefault(image, []).extend(hits)
            probe.close()
            sandbox.remove()

    def limit_hits(self, image: str) -> list[str]:
        """What the image's container(s) ran into at their limits since last asked, in words."""
        hits = self.discarded_hits.pop(image, [])
        if image in self.started:
            hits += self._new_hits(image, self.started[image][1])
        return hits

    def _new_hits(self, image: str, probe: Probe) -> list[str]:
        counts = probe.limit_counters()
        before, self.counted[image] = self.counted.get(image, {}), counts
        refused = counts.get("refused_forks", 0) - before.get("refused_forks", 0)
        killed = counts.get("oom_kills", 0) - before.get("oom_kills", 0)
        limits = self.lab.limits
        return ([f"limit: fork failed {refused} times at the {limits.pids}-process limit"]
                if refused > 0 else []) + \
               ([f"limit: the kernel killed {killed} of your processes at the {limits.memory_mb} "
                 "MiB memory limit"] if killed > 0 else [])

    def _get(self, image: str) -> tuple[Sandbox, Probe]:
        if image not in self.started:
            sandbox = self.stack.enter_context(self.sandbox(image))
            probe = Probe(sandbox)
            self.stack.callback(probe.close)
            self.started[image] = sandbox, probe
        return self.started[image]


def _nothing_left(probe: Probe) -> bool:
    """No process of the learner's, zombie or not, is in the container: nothing to end, so no
    docker exec to end it (a program that ran to its end, most of the time)."""
    try:
        return not any(proc.uid == LEARNER_UID for proc in probe.snapshot().values())
    except (CheckFailed, InfraError):
        return False


def grade(lab: Lab, folder: Path, only: list[str] | None = None, client=None) -> Grade:
    """Grade the submission in folder; `only` names the exercise files to grade (default: all)."""
    unknown = sorted(set(only or []) - {e.file for e in lab.spec.exercises})
    if unknown:
        raise SubmissionError(f"{lab.name} has no exercise {', '.join(unknown)}")
    submission = submitted_files(folder, lab.limits.submission_bytes)
    files, notes = submission.files, submission.notes
    started = time.monotonic()
    client = client or connect()
    remove_strays(client)   # left by a grader that was killed with -9
    results: list[CheckResult] = []
    with Containers(client, lab, files) as containers:
        for spec in lab.spec.exercises:
            if only and spec.file not in only:
                continue
            ex = Exercise(spec, containers, spec.image or lab.spec.image, lab.limits.output_kb * 1024)
            try:
                with ex.time_limit():
                    _judge(ex, lab.scenarios[spec.file], files.get(spec.file),
                           submission.refused.get(spec.file))
                _note_limit_hits(ex, containers)
            finally:
                ex.stop_programs()
            results.extend(ex.ordered_results())
    return Grade(lab, results, time.monotonic() - started, notes)


def _judge(ex: Exercise, scenario, path: Path | None, refused: str | None) -> None:
    if path is None:
        ex.fail_unjudged(f"{ex.spec.file} was not accepted: {refused}" if refused
                         else f"{ex.spec.file} was not submitted")
        return
    problem = syntax_problem(path) if path.suffix == ".py" else None   # a config file, say
    if problem:
        ex.fail_unjudged(problem)
        return
    try:
        scenario(ex)
    except CheckFailed as failure:
        ex.fail_unjudged(str(failure))
        return
    unjudged = [spec.id for spec in ex.spec.checks if spec.id not in ex.results]
    if unjudged:
        raise InfraError(f"lab bug: the {ex.spec.file} scenario never judged {', '.join(unjudged)}")


def _note_limit_hits(ex: Exercise, containers: Containers) -> None:
    """Say under each failed check when the exercise's processes ran into a limit: "fork failed
    at the process limit" explains a silent program better than its missing output does."""
    try:
        hits = [hit for image in sorted(ex.images_used) for hit in containers.limit_hits(image)]
    except (CheckFailed, InfraError):
        return   # the container is gone: nothing to explain with
    for result in ex.results.values():
        if not result.passed:
            result.notes.extend(hits)
