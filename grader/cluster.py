"""Batch grading on a Dask distributed cluster.

Each task carries a submission's files; a worker (a machine with a Docker engine and the lab
images, running `python -m grader worker tcp://HOST:8786`) writes them to a temporary folder
and grades them with the same child grader as a local batch. The client saves each outcome
atomically, as locally. A worker that dies mid-task loses nothing: the scheduler reruns its
task elsewhere, and the PR_SET_PDEATHSIG of the child grader removes its containers; the batch
says so. A scheduler that goes away cancels every task: the batch waits for it as for an engine
outage (grader/outage.py) and submits them again, and `python -m grader worker` starts its Dask
worker again each time the worker ends with its scheduler gone.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import CancelledError
from pathlib import Path
from typing import NoReturn

from distributed import Client
from distributed.comm import CommClosedError

from . import labspec
from .errors import InfraError
from .graders import GraderPool, die_with_parent, task_outcome, time_limit
from .outage import OUTAGE_LIMIT, Outage
from .submission import Submission

_graders = GraderPool()   # this worker process's graders
BROKEN = (ConnectionError, CommClosedError)   # a connection to the scheduler that broke


def grade_files(lab_name: str, files: dict[str, bytes | int | None], only: list[str] | None,
                timeout: float) -> dict:
    """On a worker: grade the submission made of files ({name: content}), where a file the
    client left out stands for itself, so the worker's grader refuses it for the same reason:
    a size (a sparse file that large) or None (a link)."""
    with tempfile.TemporaryDirectory(prefix="zombielab-") as folder:
        for name, data in files.items():
            path = Path(folder, name)
            if isinstance(data, bytes):
                path.write_bytes(data)
            elif data is None:
                path.symlink_to(os.devnull)
            else:
                with open(path, "wb") as sparse:
                    sparse.truncate(data)
        return _graders.run(lab_name, Path(folder), only, timeout)


def read_files(folder: Path, limit_bytes: int) -> dict[str, bytes | int | None]:
    """The files the grader would copy into the sandbox, and stand-ins for those it would
    refuse (see grade_files): an oversized file does not travel."""
    submission = Submission.of(folder, limit_bytes)
    refused = {name: None if (folder / name).is_symlink() else (folder / name).stat().st_size
               for name in submission.refused}
    return {**refused, **{name: path.read_bytes() for name, path in submission.files.items()}}


class DaskPool:
    """Submissions graded as tasks on the cluster whose scheduler is at address."""

    def __init__(self, address: str, lab: labspec.Lab, only: list[str] | None, say,
                 outage_limit: float = OUTAGE_LIMIT):
        self.address, self.lab, self.only, self.timeout = address, lab, only, time_limit(lab)
        self.say = say
        # The batch says itself what befalls the cluster; Dask's client would log tracebacks
        # of its every attempt to reach a scheduler that went away.
        for handler in logging.getLogger("distributed").handlers:   # its loggers' one output
            handler.setLevel(logging.CRITICAL)
        self.outage = Outage(f"Dask scheduler at {address}", self.answers, outage_limit, say)
        try:
            self.client = self._connect(30)
        except (OSError, ValueError) as exc:   # unreachable, or not an address
            raise InfraError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc

    def _connect(self, timeout: float) -> Client:
        client = Client(self.address, timeout=timeout)
        client.subscribe_topic("all", self._cluster_event)
        return client

    def _cluster_event(self, event) -> None:
        """Say when a worker leaves the cluster, and what it was grading."""
        _, message = event
        if message.get("action") == "remove-worker":
            grading = [key.split("-", 1)[1].rsplit("-", 1)[0]
                       for key in message.get("processing-tasks", ()) if key.startswith("grade-")]
            self.say(f"Dask worker {message.get('worker')} left the cluster"
                     + (f" while grading {', '.join(grading)}: the scheduler runs that again on "
                        "another worker" if grading else ""))

    def answers(self) -> bool:
        """Whether the scheduler answers; a client that lost it is replaced by a new one (the
        tasks of the old one are gone with the scheduler that held them)."""
        if self.client.status == "running":
            return True
        try:
            client = self._connect(5)
        except (OSError, ValueError):
            return False
        old, self.client = self.client, client
        old.close(timeout=5)
        return True

    def submit(self, student: str, folder: Path):
        # A fresh key per attempt: a retry must not be the cached failure of the first.
        files = read_files(folder, self.lab.limits.submission_bytes)
        return self.client.submit(grade_files, self.lab.name, files, self.only, self.timeout,
                                  key=f"grade-{student}-{uuid.uuid4().hex}", pure=False)

    def outcome(self, future) -> dict:
        """A task's outcome. A task its scheduler took with it when it went away (cancelled,
        held by the client that lost the scheduler, or failed on the broken connection), or
        whose result its worker, gone with the scheduler, could no longer hand over, was cut
        short by that outage."""
        cut_short = {"gradable": False, "cut_short": True,
                     "reason": f"the Dask scheduler at {self.address} went away"}
        if future.cancelled() or future.client is not self.client:
            return cut_short
        try:   # the result comes from the worker that graded it, a task's error from the scheduler
            return future.result()
        except (CancelledError, *BROKEN):
            return cut_short
        except Exception:  # noqa: BLE001 - the task's own failure, said as such
            return task_outcome(future)

    def close(self) -> None:
        self.client.close()


RECONNECT_SECONDS = 2   # between a worker that ended and the next


def worker(scheduler: str, nthreads: int | None, name: str | None) -> NoReturn:
    """`python -m grader worker`: a Dask worker whose threads each grade one submission at a
    time (the `dask worker` command, with this project importable). A Dask worker ends a few
    seconds after its scheduler goes away; this one starts it again until it is stopped, so
    that a restarted scheduler finds its workers back."""
    argv = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
            "--nthreads", str(nthreads or len(os.sched_getaffinity(0))), "--no-dashboard"]
    if name:
        argv += ["--name", name]
    try:
        while True:
            # Single-threaded here, so preexec_fn is safe: the worker ends with this process.
            child = subprocess.Popen(argv, preexec_fn=die_with_parent)
            status = child.wait()
            print(f"zombielab: the Dask worker ended (status {status}); starting it again in "
                  f"{RECONNECT_SECONDS} s", file=sys.stderr, flush=True)
            time.sleep(RECONNECT_SECONDS)
    except KeyboardInterrupt:   # SIGTERM or Ctrl-C (cli.main): stop the worker too
        child.terminate()
        child.wait()
        sys.exit(130)
