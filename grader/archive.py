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


def tar_of(entries: list[tuple[str, bytes, int]], uid: int, folders: tuple[str, ...] = ()) -> bytes:
    """A tar archive of (path, data, mode) files, all owned by uid, after the `folders` (made,
    mode 0755, so that each exists even with no file in it)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, uid, uid
            tar.addfile(info)
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, uid
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def submission_tar(files: dict[str, Path], support: Path | None = None) -> bytes:
    """Pack the learner's files (as grader/submission.py accepted them, and a C submission's
    binary) into SUBMISSION_DIR, and the lab's trusted support files (workloads, fixtures), if
    any, into SUPPORT_DIR, to be put in at /. All root-owned: on the rootfs, a file the learner
    could write is host disk. One archive, as the engine starts a process to unpack each."""
    entries = [(f"{SUBMISSION_DIR}/{name}".lstrip("/"), path.read_bytes(), _mode(path))
               for name, path in sorted(files.items())]
    if support is not None and support.is_dir():
        entries += [(f"{SUPPORT_DIR}/{path.relative_to(support)}".lstrip("/"), path.read_bytes(), _mode(path))
                    for path in sorted(support.rglob("*"))
                    if path.is_file() and "__pycache__" not in path.parts]
    return tar_of(entries, uid=0, folders=(SUBMISSION_DIR.lstrip("/"),))


def _mode(path: Path) -> int:
    return 0o755 if os.access(path, os.X_OK) else 0o644
