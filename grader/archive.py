"""Files packed for put_archive: a submission, and a lab's support files."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

SUPPORT_DIR = "/opt/zombielab/lab"      # a lab's trusted support files, root-owned
# The submission as put_archive leaves it: root-owned on the container's rootfs, where put_archive
# can write (it cannot into a tmpfs mount). The learner copies it into the work folder (a tmpfs).
SUBMISSION_DIR = "/submission"


def tar_of(entries: list[tuple[str, bytes, int]], uid: int, folder: str = "") -> bytes:
    """A tar archive of (name, data, mode) files, all owned by uid, in `folder` if given (made
    too, mode 0755, so that it exists even with no file in it)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        if folder:
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, uid, uid
            tar.addfile(info)
        for name, data, mode in entries:
            info = tarfile.TarInfo(f"{folder}/{name}" if folder else name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, uid
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def submission_tar(files: dict[str, Path]) -> bytes:
    """Pack the learner's files (as grader/submission.py accepted them, and a C submission's
    binary) into SUBMISSION_DIR, to be put in at /. Root-owned: on the rootfs, a file the
    learner could write is host disk."""
    entries = [(name, path.read_bytes(), 0o755 if os.access(path, os.X_OK) else 0o644)
               for name, path in sorted(files.items())]
    return tar_of(entries, uid=0, folder=SUBMISSION_DIR.lstrip("/"))


def support_tar(folder: Path) -> bytes:
    """Pack a lab's trusted support files (workloads, fixtures), root-owned and read-only."""
    entries = [(str(path.relative_to(folder)), path.read_bytes(), 0o755 if os.access(path, os.X_OK) else 0o644)
               for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts]
    return tar_of(entries, uid=0)
