"""What a grading container may use, and what a lab loosens in its lock-down: data, read from
lab.yaml and given to the sandbox."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROFILES_DIR = Path(__file__).resolve().parent.parent / "images"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one grading container (lab.yaml can override each)."""
    pids: int = 256
    memory_mb: int = 512
    cpus: float = 1.0
    tmp_mb: int = 64
    disk_mb: int = 128        # the work folder's size: a tmpfs, so it counts in memory_mb
    submission_mb: int = 5
    output_kb: int = 1024

    @property
    def submission_bytes(self) -> int:
        return self.submission_mb * 2**20

    @property
    def zombies_kept(self) -> int:
        """How many zombies no one reaps a container may keep for the next program: each holds
        a PID. More, and the next program needs a fresh container."""
        return self.pids // 4


@dataclass(frozen=True)
class Confinement:
    """What a lab loosens in the default lock-down, and only that (lab.yaml `confinement:`).

    seccomp_profile: a file in images/ used instead of Docker's default seccomp profile.
    proc_unmasked: /proc fully visible and writable as Docker's `systempaths=unconfined`, which
    the kernel requires before it lets anyone mount a new proc (it may not reveal more than the
    container's own /proc shows).
    """
    seccomp_profile: str | None = None
    proc_unmasked: bool = False

    @property
    def loosened(self) -> bool:
        return bool(self.seccomp_profile or self.proc_unmasked)

    def security_opt(self) -> list[str]:
        options = ["no-new-privileges"]
        if self.seccomp_profile:
            # The engine's API takes the profile itself, not a path (the CLI reads the file).
            options.append(f"seccomp={(PROFILES_DIR / self.seccomp_profile).read_text()}")
        return options
