"""The containers of one submission's grading: one per image, each started when first needed
with its own probe, cleared out between programs, and all removed at the end."""
from __future__ import annotations

import tempfile
import threading
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import docker

from .engine import image_id
from .errors import CheckFailed, InfraError
from .labspec import Lab
from .local import ENGINE_FREE, LocalSandbox
from .proc import Probe
from .recorder import Recorder
from .sandbox import Sandbox


class Containers:
    """The submission's sandboxes, one per image, each started when first needed and with its
    own probe; all removed when the `with` block ends, however it ends. Sibling exercises in
    other threads may ask for them at once."""

    def __init__(self, client: docker.DockerClient | None, lab: Lab, files: dict[str, Path]):
        # No client: the engine-free backend, where this machine is the one sandbox (local.py).
        self.client, self.lab = client, lab
        self.files = dict(files)   # its own: add_program adds to it
        self.started: dict[str, tuple[Sandbox, Probe]] = {}
        self.stack = ExitStack()
        self.lock = threading.Lock()
        self.counted: dict[str, dict[str, int]] = {}   # limit counters, as last reported
        self.discarded_hits: dict[str, list[str]] = {}  # of containers removed since

    def __enter__(self) -> "Containers":
        if self.client:
            Recorder.shared()   # before any container starts: each is recorded from its start
        return self

    def __exit__(self, *exc_info) -> None:
        self.stack.close()

    def sandbox(self, image: str, command: list[str] | None = None, pids: int | None = None) -> Sandbox:
        """A new, not yet entered sandbox of this lab, holding the submission and the lab's
        support files (with its own pids limit, if given)."""
        limits = self.lab.limits if pids is None else replace(self.lab.limits, pids=pids)
        kind = Sandbox if self.client else LocalSandbox
        return kind(self.client, image, limits, self.files, self.lab.folder / "support", command,
                    self.lab.confinement)

    def sandboxes(self, images: list[str]) -> list[Sandbox]:
        """The started containers of these images."""
        with self.lock:
            return [self.started[image][0] for image in images if image in self.started]

    def add_program(self, name: str, data: bytes, made_in: Sandbox | None) -> None:
        """A program the grading made (a compiled C submission), executable: in the work folder
        of every container of the grading, those started already (but made_in, which made it)
        and those to come."""
        path = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="zombielab-"))) / name
        path.write_bytes(data)
        path.chmod(0o755)
        self.files[name] = path
        with self.lock:
            others = [sandbox for sandbox, _ in self.started.values() if sandbox is not made_in]
        for sandbox in others:
            sandbox.add_file(name, path)

    def image_id(self, image: str) -> str:
        return image_id(self.client, image) if self.client else ENGINE_FREE

    def get(self, image: str) -> tuple[Sandbox, Probe]:
        with self.lock:
            return self._get(image)

    def reset(self, image: str, empty_scratch: bool = False) -> None:
        """After a program run: end the learner's processes in the image's container (and with
        empty_scratch, at an exercise's end, empty /tmp and the like of their files), or
        remove the container if that failed or it is unfit for the next run (a starved probe,
        PIDs held by zombies no one reaps, a fork bomb's hundreds of processes, which a fresh
        container costs less than ending them from inside, where docker exec finds no PID
        free); the next get() then starts a fresh one."""
        with self.lock:
            entry = self.started.get(image)
        if entry is None:
            return
        sandbox, probe = entry
        left = _learner_processes(probe, sandbox.learner_uid)
        limits = self.lab.limits
        unfit = probe.starved or probe.out_of_step or left is None or sum(left) >= limits.pids // 2
        # Zombies cannot be killed: a few (the point of some exercises) are left to their parent.
        nothing_to_do = (left is not None and left[0] == 0 and left[1] <= limits.zombies_kept
                         and not empty_scratch)
        if unfit or not (nothing_to_do or sandbox.kill_learner_processes(empty_scratch)):
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


def _learner_processes(probe: Probe, uid: int) -> tuple[int, int] | None:
    """How many processes of the learner's are in the container, (running, zombies), or None if
    the probe cannot tell. None running, most of the time, means no docker exec to end them."""
    try:
        learners = [proc for proc in probe.snapshot().values() if proc.uid == uid]
    except (CheckFailed, InfraError):
        return None
    zombies = sum(proc.state == "Z" for proc in learners)
    return len(learners) - zombies, zombies
