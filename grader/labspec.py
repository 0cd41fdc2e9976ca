"""A lab is data: labs/<name>/lab.yaml (what is graded, for how many points) and checks.py
(how each exercise is driven). This module loads and validates both."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .limits import PROFILES_DIR, Confinement, Limits

LABS_DIR = Path(os.environ.get("ZOMBIELAB_LABS", Path(__file__).resolve().parent.parent / "labs"))


class LabError(Exception):
    """A lab that does not exist or whose definition is broken."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# What a check's judging needs beyond a terminal and /proc, which only the Docker backend (with
# the kernel's process recorder) gives: where it is missing (grader/local.py), the check is
# skipped, with NEEDS' reason, instead of judged on less.
Need = Literal["kernel-record", "pid-namespace", "user-namespace", "pids-cgroup"]
NEEDS = {
    "kernel-record": "the kernel's record of every process (who forked, exec'd, wrote, asked "
                     "getppid(), reaped; processes that live less than a poll of /proc)",
    "pid-namespace": "a PID namespace of the grader's making, with the program or a PID 1 "
                     "the lab chose (tini, or one that never reaps) as its first process",
    "user-namespace": "a user namespace, with a kernel.pid_max of its own",
    "pids-cgroup": "a pids cgroup of its own (its limit, peak and refused forks)",
}
# Without these an exercise's runs cannot be made at all: all its checks are skipped. Without
# the others the runs are made, and only the checks that need them are skipped.
RUN_NEEDS = {"pid-namespace", "user-namespace", "pids-cgroup"}


class CheckSpec(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    points: int = Field(gt=0)
    timeout: float = Field(default=5.0, gt=0)
    hint: str = ""
    c_hint: str = ""   # the hint for a C submission, where the calls differ (default: hint)
    # A verdict a busy machine could sway (timing, races): the test suite grades the reference
    # and the buggy solutions that must fail it again and again under load.
    load_sensitive: bool = False
    needs: list[Need] = []


Image = Literal["noinit", "tini"]


class ExerciseSpec(Strict):
    file: str = Field(pattern=r"^[\w.-]+$")
    image: Image | None = None       # default: the lab's image
    timeout: float = Field(default=30.0, gt=0)
    checks: list[CheckSpec] = Field(min_length=1)

    def check(self, check_id: str) -> CheckSpec:
        for spec in self.checks:
            if spec.id == check_id:
                return spec
        raise LabError(f"{self.file} has no check named {check_id!r} in lab.yaml")

    def unmet(self, offered: frozenset[str]) -> dict[str, list[str]]:
        """Each check's needs (NEEDS) that a backend offering `offered` lacks."""
        return {spec.id: [need for need in spec.needs if need not in offered]
                for spec in self.checks}

    def unrunnable(self, offered: frozenset[str]) -> list[str]:
        """The checks whose unmet needs (RUN_NEEDS) keep the exercise's runs from being made
        at all there: none of its checks can be judged."""
        return [check for check, needs in self.unmet(offered).items() if set(needs) & RUN_NEEDS]

    def judged(self, offered: frozenset[str]) -> list[str]:
        """The checks a backend offering `offered` judges, in lab.yaml's order."""
        if self.unrunnable(offered):
            return []
        return [check for check, needs in self.unmet(offered).items() if not needs]


class LimitsSpec(Strict):
    pids: int = Field(default=Limits.pids, ge=16)
    memory_mb: int = Field(default=Limits.memory_mb, ge=32)
    cpus: float = Field(default=Limits.cpus, gt=0)
    tmp_mb: int = Field(default=Limits.tmp_mb, ge=1)
    disk_mb: int = Field(default=Limits.disk_mb, ge=1)
    submission_mb: int = Field(default=Limits.submission_mb, ge=1)
    output_kb: int = Field(default=Limits.output_kb, ge=1)

    @model_validator(mode="after")
    def tmpfs_fits(self) -> "LimitsSpec":
        # /tmp and the work folder are tmpfs, held in the container's memory: filled, they
        # must leave the programs most of it. The work folder receives the submission.
        if self.tmp_mb + self.disk_mb > self.memory_mb // 2:
            raise ValueError(f"tmp_mb + disk_mb ({self.tmp_mb + self.disk_mb}) must be at most "
                             f"half of memory_mb ({self.memory_mb}): both are held in memory")
        if self.submission_mb > self.disk_mb:
            raise ValueError("disk_mb must be at least submission_mb: the work folder holds it")
        return self


class ConfinementSpec(Strict):
    seccomp_profile: str | None = Field(default=None, pattern=r"^[\w.-]+\.json$")
    proc_unmasked: bool = False

    @model_validator(mode="after")
    def profile_exists(self) -> "ConfinementSpec":
        if self.seccomp_profile and not (PROFILES_DIR / self.seccomp_profile).is_file():
            raise ValueError(f"no seccomp profile images/{self.seccomp_profile}")
        return self


class LabSpec(Strict):
    title: str
    topic: str = ""   # one line on what the lab covers: `zombielab labs` lists it
    # How a C submission is compiled. gnu17, not c17: strict C hides sigaction, kill, pipe2...
    c_flags: str = "-std=gnu17 -O2 -Wall -Wextra"
    image: Image
    limits: LimitsSpec = LimitsSpec()
    confinement: ConfinementSpec = ConfinementSpec()
    # How many containers one submission's grading may keep busy at once (a lab that boots
    # its workloads in containers of their own): a batch's default graders divide by it.
    containers_at_once: int = Field(default=1, ge=1)
    # A check skipped where it cannot be judged (what this machine lacks): its points dropped
    # from the total, or granted to everyone.
    skipped_points: Literal["dropped", "granted"] = "dropped"
    exercises: list[ExerciseSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def ids_unique(self) -> "LabSpec":
        ids = [c.id for e in self.exercises for c in e.checks]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"check ids must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def max_score(self) -> int:
        return sum(c.points for e in self.exercises for c in e.checks)


class Lab:
    """A loaded lab: its spec, its folder, its checks.py as loaded (`checks`), and the scenario
    function of each exercise."""

    def __init__(self, name: str, folder: Path, spec: LabSpec, checks: ModuleType):
        self.name, self.folder, self.spec, self.checks = name, folder, spec, checks
        self.scenarios = {fn.zombielab_exercise: fn for fn in vars(checks).values()
                          if callable(fn) and hasattr(fn, "zombielab_exercise")}

    def exercises(self, only: list[str] | None = None) -> list[ExerciseSpec]:
        """The exercises to grade: all, or those `only` names (each must be one of the lab's)."""
        unknown = sorted(set(only or []) - {e.file for e in self.spec.exercises})
        if unknown:
            raise LabError(f"{self.name} has no exercise {', '.join(unknown)}")
        return [e for e in self.spec.exercises if not only or e.file in only]

    @property
    def limits(self) -> Limits:
        return Limits(**self.spec.limits.model_dump())

    @property
    def confinement(self) -> Confinement:
        return Confinement(**self.spec.confinement.model_dump())


def available() -> list[str]:
    return sorted(p.parent.name for p in LABS_DIR.glob("*/lab.yaml"))


def load(name: str) -> Lab:
    folder = LABS_DIR / name
    if not (folder / "lab.yaml").is_file():
        raise LabError(f"unknown lab {name!r}; the labs are: {', '.join(available()) or 'none'}")
    spec = _load_spec(folder / "lab.yaml")
    lab = Lab(name, folder, spec, _load_checks(folder / "checks.py"))
    scenarios = lab.scenarios
    files = [e.file for e in spec.exercises]
    for file in files:
        if file not in scenarios:
            raise LabError(f"{folder / 'checks.py'}: no @exercise({file!r}) for lab.yaml's exercise")
    for file in scenarios:
        if file not in files:
            raise LabError(f"{folder / 'checks.py'}: @exercise({file!r}) is not in lab.yaml")
    return lab


def _load_spec(path: Path) -> LabSpec:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise LabError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from exc
    try:
        return LabSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise LabError(f"{path}: field {field}: {first['msg']}") from exc


def _load_checks(path: Path) -> ModuleType:
    if not path.is_file():
        raise LabError(f"{path} is missing")
    module_spec = importlib.util.spec_from_file_location(f"zombielab_{path.parent.name}_checks", path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module   # dataclasses and pickling look a module up here
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:  # a broken checks.py is the lab author's error, reported plainly
        sys.modules.pop(module_spec.name, None)
        raise LabError(f"{path} failed to load: {type(exc).__name__}: {exc}") from exc
    return module
