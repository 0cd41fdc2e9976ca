"""The Docker engine: the connection to it, the images the labs run in, and the sweep of grading
containers whose grader is gone."""
from __future__ import annotations

import os
import socket
import time

import docker
import docker.errors
import requests.exceptions

from .errors import InfraError

LABEL = "zombielab.grader"          # every grading container carries it, so strays can be found
OWNER_LABEL = "zombielab.owner"     # host:pid of the grader that made it
IMAGES = {"noinit": "zombielab/noinit", "tini": "zombielab/tini"}


def connect() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=60)
        client.ping()
        return client
    except docker.errors.DockerException as exc:
        raise InfraError(
            "cannot reach the Docker engine: is Docker running? "
            "(on Debian, scripts/ensure-docker starts it)") from exc


def engine_answers(timeout: float = 5.0) -> bool:
    """Whether the Docker engine answers a ping now, on a connection of its own (one opened
    before the engine restarted may be dead)."""
    try:
        client = docker.from_env(timeout=timeout)
    except docker.errors.DockerException:
        return False
    try:
        return client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        return False
    finally:
        client.close()


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def remove_strays(client: docker.DockerClient) -> int:
    """Remove grading containers whose grader on this host is gone (killed with -9, say).
    Containers of graders on other hosts sharing the engine are theirs to clean."""
    host = socket.gethostname()
    removed = 0
    # sparse: no inspect per container, which would fail for one another grader just removed.
    for container in client.containers.list(all=True, filters={"label": LABEL}, sparse=True):
        labels = container.attrs.get("Labels") or {}
        owner_host, _, pid = labels.get(OWNER_LABEL, ":").partition(":")
        if owner_host != host or (pid.isdigit() and _alive(int(pid))):
            continue
        if force_remove(container):
            removed += 1
    return removed


def remove_own(client: docker.DockerClient) -> None:
    """Remove every grading container this process made."""
    for container in client.containers.list(all=True, sparse=True,
                                             filters={"label": f"{OWNER_LABEL}={owner()}"}):
        force_remove(container)


REMOVE_PATIENCE = 120   # seconds to keep asking the engine to remove a dying container


def force_remove(container) -> bool:
    """Remove a container, tolerating another process removing it at the same moment
    (a killed batch's graders clean up while the next batch sweeps for strays).
    True if this call removed it."""
    deadline = time.monotonic() + REMOVE_PATIENCE
    while True:
        try:
            container.remove(force=True)
            return True
        except docker.errors.NotFound:
            return False
        except docker.errors.APIError as exc:
            if exc.status_code == 409 and "already in progress" in str(exc):
                return False
            # The engine waits only a few seconds for a SIGKILLed container to end; hundreds of
            # fork-bombing processes caught mid-fork (state D) can take longer to die. The kill
            # goes on meanwhile, so ask again.
            if "did not receive an exit event" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def image_id(client: docker.DockerClient, variant: str) -> str:
    """The ID of a lab image as built on this engine."""
    try:
        return client.images.get(IMAGES[variant]).id
    except docker.errors.ImageNotFound as exc:
        raise InfraError(f"image {IMAGES[variant]} is missing: run `make images`") from exc
