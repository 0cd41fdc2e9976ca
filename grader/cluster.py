"""Batch grading on a Dask distributed cluster.

Each task carries a submission's files; a worker (a machine with a Docker engine and the lab
images, running `python -m grader worker tcp://HOST:8786`) writes them to a temporary folder
and grades them with the same child grader as a local batch. The client saves each outcome
atomically, as locally. A worker that dies mid-task loses nothing: the scheduler reruns its
task elsewhere, and the PR_SET_PDEATHSIG of the child grader removes its containers.
"""
from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import NoReturn

from distributed import Client

from . import labspec
from .errors import InfraError
from .grade import submitted_files
from .job import Children, time_limit

_children = Children()   # this worker process's graders


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
        return _children.run(lab_name, Path(folder), only, timeout)


def read_files(folder: Path, limit_bytes: int) -> dict[str, bytes | int | None]:
    """The files the grader would copy into the sandbox, and stand-ins for those it would
    refuse (see grade_files): an oversized file does not travel."""
    submission = submitted_files(folder, limit_bytes)
    refused = {name: None if (folder / name).is_symlink() else (folder / name).stat().st_size
               for name in submission.refused}
    return {**refused, **{name: path.read_bytes() for name, path in submission.files.items()}}


class DaskPool:
    """Submissions graded as tasks on the cluster whose scheduler is at address."""

    def __init__(self, address: str, lab: labspec.Lab, only: list[str] | None):
        self.lab, self.only, self.timeout = lab, only, time_limit(lab)
        try:
            self.client = Client(address, timeout=30)
        except (OSError, ValueError) as exc:   # unreachable, or not an address
            raise InfraError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc

    def submit(self, student: str, folder: Path):
        # A fresh key per attempt: a retry must not be the cached failure of the first.
        files = read_files(folder, self.lab.limits.submission_bytes)
        return self.client.submit(grade_files, self.lab.name, files, self.only, self.timeout,
                                  key=f"grade-{student}-{uuid.uuid4().hex}", pure=False)

    def close(self) -> None:
        self.client.close()


def worker(scheduler: str, nthreads: int | None, name: str | None) -> NoReturn:
    """`python -m grader worker`: a Dask worker whose threads each grade one submission at a
    time (the `dask worker` command, with this project importable)."""
    argv = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
            "--nthreads", str(nthreads or len(os.sched_getaffinity(0))), "--no-dashboard"]
    if name:
        argv += ["--name", name]
    os.execv(sys.executable, argv)
