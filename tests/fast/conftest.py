"""What the fast tests share: the repository, the command line run as a process with no Docker
engine within reach, and a labs folder to break. Nothing here talks to an engine."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_ENGINE = "unix:///nonexistent.sock"   # any call to Docker fails at once


def zombielab(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m grader ARGS` as a user runs it, with no engine to reach."""
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                          env={**os.environ, "DOCKER_HOST": NO_ENGINE, **(env or {})},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def plain_error(result: subprocess.CompletedProcess) -> str:
    """A usage error: exit 2, nothing on stdout, no traceback, one line on stderr that says why
    (argparse's own errors come below its usage, as every argparse program shows them)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[0].startswith("usage:"), result.stderr
    return lines[-1]


@pytest.fixture
def labs_dir(tmp_path) -> Path:
    """A labs folder holding a copy of lab3's definition (lab.yaml and checks.py), to break."""
    folder = tmp_path / "labs"
    (folder / "lab3").mkdir(parents=True)
    for name in ("lab.yaml", "checks.py"):
        shutil.copy(ROOT / "labs" / "lab3" / name, folder / "lab3" / name)
    return folder
