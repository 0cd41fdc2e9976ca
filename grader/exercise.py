"""The exercise being graded: its programs and containers, its probe, and its checks' verdicts.
Labs use it through grader/scenario.py, which documents it."""
from __future__ import annotations

import base64
import hashlib
import re
import shlex
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

from . import cache
from .containers import Containers
from .errors import CheckFailed, InfraError
from .labspec import NEEDS, ExerciseSpec
from .languages import language_of
from .proc import Probe
from .sandbox import Sandbox
from .session import Program, attach_program, exec_program
from .timeline import Timeline


def exercise(file: str):
    """Mark a function of checks.py as the scenario that grades `file`."""
    def mark(fn):
        fn.zombielab_exercise = file
        return fn
    return mark


def require(condition, observed: str) -> None:
    """Fail the current check, saying what was observed, unless condition holds."""
    if not condition:
        raise CheckFailed(observed)


@dataclass
class CheckResult:
    exercise: str
    id: str
    name: str
    max_score: int
    passed: bool
    observed: str = ""
    hint: str = ""
    notes: list[str] = field(default_factory=list)   # shown whether it passed or not
    skipped: str = ""   # why the check was left out of this grade (it then counts for nothing)
    timeline: Timeline | None = None   # a failed check's: the run it failed in, as the kernel saw it

    @property
    def title(self) -> str:
        return f"{self.exercise}: {self.name}"

    @property
    def score(self) -> int:
        return self.max_score if self.passed else 0


@dataclass
class Verdict:
    """One check's verdict: whether it passed, what was observed if not, a few words on what the
    program did (for showing two runs side by side), and lines shown under it either way."""
    passed: bool = False
    observed: str = ""
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    skipped: str = ""   # why the check was left out of the grade

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def described(self) -> str:
        return self.summary or ("passed" if self.passed else "failed")


class Verdicts:
    """Verdicts on checks, the first one for each check standing. An exercise keeps one; a
    scenario that judges its checks over several runs keeps one per run (ex.new_verdicts()),
    then judges each check from them."""

    def __init__(self, explain: Callable[[str], str] = lambda observed: observed,
                 witness: Callable[[], "Sighting | None"] = lambda: None,
                 skipped: dict[str, str] | None = None):
        self.by_check: dict[str, Verdict] = {}
        # Checks left out of the grade (check -> why): whatever a block judges of them, they
        # neither fail nor stop a scenario that looks at its verdicts.
        self.skipped = {} if skipped is None else skipped
        self.seen: dict[str, Sighting] = {}   # check -> the moment it failed, for its timeline
        self._explain = explain   # may say better why a check failed (a halted exercise)
        self._witness = witness

    @contextmanager
    def check(self, check_id: str) -> Iterator[Verdict]:
        """Judge one check: it passes unless the block raises CheckFailed (require, expect...),
        which ends the block and goes no further. The block may add notes and a summary."""
        verdict = Verdict()
        try:
            yield verdict
            verdict.passed = True
        except CheckFailed as failure:
            verdict.observed = str(failure)
        self.record(check_id, verdict)

    @contextmanager
    def needed_by(self, *check_ids: str) -> Iterator[None]:
        """Work these checks stand on: if it fails, each of them not yet judged fails with it.
        The failure ends the block and goes no further: judge what depends on it inside."""
        try:
            yield
        except CheckFailed as failure:
            for check_id in check_ids:
                self.record(check_id, Verdict(observed=str(failure)))

    def fail(self, check_id: str, observed: str) -> None:
        self.record(check_id, Verdict(observed=observed))

    def record(self, check_id: str, verdict: Verdict) -> None:
        if check_id in self.skipped:
            self.by_check.setdefault(check_id, Verdict(passed=True, skipped=self.skipped[check_id]))
            return
        if not verdict.passed:
            verdict.observed = self._explain(verdict.observed)
            if check_id not in self.by_check:
                sighting = self._witness()
                if sighting is not None:
                    self.seen[check_id] = sighting
        first = self.by_check.setdefault(check_id, verdict)
        if first is not verdict:   # the first verdict stands; what a later block noted is kept
            first.notes.extend(verdict.notes)

    def failed(self, check_id: str) -> bool:
        return check_id in self.by_check and not self.by_check[check_id].passed


@dataclass
class Run:
    """One start of a program: what its timeline is drawn from."""
    program: Program
    title: str
    probe: Callable[[], Probe | None]   # its container's probe, if one has been started


class Sighting:
    """A run as the kernel's record showed it at one moment, drawn as a Timeline only if a
    result shows it: taking one asks nothing of the container."""

    def __init__(self, run: Run, probe: Probe):
        self.run, self.lines = run, probe.lines_read
        self.actions = list(run.program.actions)
        self.now = time.monotonic()
        self._record = probe.sighting()

    def same_moment(self, run: Run, probe: Probe) -> bool:
        """Nothing recorded or done since this sighting of the run."""
        return (run is self.run and probe.lines_read == self.lines
                and len(run.program.actions) == len(self.actions))

    @cached_property
    def timeline(self) -> Timeline:
        return Timeline.of(self._record(), self.run.program.pid, self.now, self.run.title,
                           self.actions)


MOST_TIMELINES = 6   # runs of an exercise drawn on the feedback page
OVERRUN_GRACE = 5.0   # seconds past an exercise's time limit before its containers are halted
# A C submission is compiled as the learner; `timeout` SIGKILLs a compiler bomb (or an
# `#include "/dev/zero"`), and only the start of what the compiler said is kept.
COMPILE_SECONDS = 10        # a learner's file compiles in well under a second
COMPILER_OUTPUT = 8192    # bytes
COMPILER_LINES = 6
READ_BACK_TRIES = 3
KILLED = 137              # 128 + SIGKILL: timeout's, or the kernel's at the memory limit
# gcc's words when the kernel killed its compiler proper (cc1), or when cc1 ran out of memory.
STARVED_COMPILER = re.compile(r"Killed signal terminated program|out of memory allocating")
DIAGNOSTIC = re.compile(r"^[^\s:]+:\d+:(\d+:)? (fatal error|error|warning|note): ")
COMPILE = ("timeout -s KILL {seconds} gcc {flags} -o {binary} {file} >/tmp/.compiler 2>&1; "
           "status=$?; head -c {keep} /tmp/.compiler; rm -f /tmp/.compiler; exit $status")


class Exercise:
    """One exercise being graded: its program runs, the probe, and the checks' verdicts.

    Programs run in the exercise's image unless run(..., image=...) names the other one; each
    image has its own container and probe (ex.probe is the default image's, ex.probe_in(image)
    any image's).
    """

    def __init__(self, spec: ExerciseSpec, containers: Containers, image: str | None = None,
                 output_limit: int | None = None, file: str | None = None):
        lab = containers.lab
        self.spec = spec
        self.file = file or spec.file   # what the learner submitted: zombie.py, or zombie.c
        self.language = language_of(self.file)   # None for a file that is not a program
        self.compiler_notes: list[str] = []   # a C program's warnings, shown under its first check
        self.containers = containers
        self.image = image or spec.image or lab.spec.image
        self.output_limit = output_limit or lab.limits.output_kb * 1024
        self.deadline = time.monotonic() + spec.timeout
        self.skipped: dict[str, str] = {}   # check -> why it is left out of the grade
        self.verdicts = Verdicts(self._explain_failure, self._witness, self.skipped)
        self.run_verdicts: list[Verdicts] = []   # new_verdicts()'s, in order
        self.programs: list[Program] = []
        self.runs: list[Run] = []          # every program started, for the timelines
        self._current = threading.local()  # the run this thread started last
        self.sightings: list[Sighting] = []   # each run as it ended
        self._sighted = 0                     # runs sighted so far
        self.images_used: set[str] = set()
        self.booted = ExitStack()   # the containers of boot(), removed by stop_programs
        self.booted_sandboxes: list[Sandbox] = []
        self._booting = threading.Lock()
        self.overran = False

    def _container(self, image: str | None) -> tuple[Sandbox, Probe]:
        image = image or self.image
        self.images_used.add(image)
        return self.containers.get(image)

    @property
    def sandbox(self) -> Sandbox:
        return self._container(None)[0]

    @property
    def probe(self) -> Probe:
        return self._container(None)[1]

    def probe_in(self, image: str) -> Probe:
        return self._container(image)[1]

    def remembered(self, name: str, make, images: tuple[str, ...] = ()):
        """make()'s value (it returns (value, keep)), or the value an earlier grading kept with
        the same grader, lab files and these images (grader/cache.py): for results no learner
        file can change, such as a reference program's run of the lab's workloads."""
        lab = self.containers.lab
        ids = [self.containers.image_id(image) for image in images]
        return cache.remembered(f"{lab.name}-{name}", cache.fingerprint(lab.folder, ids), make)

    @property
    def check_ids(self) -> list[str]:
        """The exercise's checks, as lab.yaml lists them."""
        return [spec.id for spec in self.spec.checks]

    def timeout(self, check_id: str) -> float:
        return self.spec.check(check_id).timeout

    @property
    def executable(self) -> str:
        """What the kernel execs for the learner's program: /usr/bin/python3, or the C binary."""
        return self.language.program(self.file)

    def command(self, *args) -> list[str]:
        """The command line that starts the learner's program with these arguments, in WORKDIR."""
        return [*self.language.command(self.file), *map(str, args)]

    def compile(self) -> str | None:
        """Compile a C submission in the exercise's container, as the learner, bounded in time
        (and, as any learner program, in memory and processes); None if it compiled, else
        the compiler's first lines. Its warnings are kept for the first check's notes. The
        binary then goes into every container of the grading; the exercise's time starts after.
        A binary compiled before from the same files, flags and compiler is taken from the
        cache instead, with no gcc and no docker exec to run it and read its output back."""
        binary = PurePath(self.file).stem
        name, key = f"{self.containers.lab.name}-{binary}-binary", self._compile_key()
        made, made_in = cache.recalled(name, key), None
        if made is None:
            made, made_in = self._compile(binary), self.sandbox
            if "binary" in made:   # a failure is not kept: a compiler starved by load, say
                cache.keep(name, key, made)
        if "problem" in made:
            return made["problem"]
        self.compiler_notes = made["notes"]
        self.containers.add_program(binary, base64.b64decode(made["binary"]), made_in)
        self.deadline = time.monotonic() + self.spec.timeout
        return None

    def _compile_key(self) -> str:
        """What a compilation's outcome depends on: the grader and the lab (the command, its
        flags), the image (the compiler), and every file of the submission (a source may
        include another)."""
        lab = self.containers.lab
        digest = hashlib.sha256(cache.fingerprint(lab.folder, [self.containers.image_id(self.image)])
                                .encode() + b"\0" + self.file.encode() + b"\0")
        for file, path in sorted(self.containers.files.items()):
            digest.update(file.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()[:20]

    def _compile(self, binary: str) -> dict:
        """Compile in the container: {"binary": its bytes in base64, "notes": the compiler's
        warnings}, or {"problem": why it did not compile}."""
        flags = self.containers.lab.spec.c_flags
        code, output = self.output_of("sh", "-c", COMPILE.format(
            seconds=COMPILE_SECONDS, flags=flags, binary=binary, file=shlex.quote(self.file),
            keep=COMPILER_OUTPUT))
        # The diagnostics ("zombie.c:12:5: error: ..."), without gcc's quoted source and carets.
        lines = [line for line in output.splitlines() if line.strip()]
        messages = [line for line in lines if DIAGNOSTIC.match(line)] or lines
        if code == KILLED or any(STARVED_COMPILER.search(line) for line in lines):
            return {"problem": f"the compiler was stopped: it ran for {COMPILE_SECONDS} s or "
                               f"reached the memory limit compiling {self.file}"}
        if code != 0:
            errors = [line for line in messages if ": error:" in line or ": fatal error:" in line]
            return {"problem": f"{self.file} does not compile (gcc {flags}): "
                               + " | ".join((errors or messages)[:COMPILER_LINES])}
        return {"binary": base64.b64encode(self._read_back(binary)).decode(),
                "notes": [f"compiler: {line}" for line in messages[:COMPILER_LINES]]}

    def _read_back(self, binary: str) -> bytes:
        """The compiled binary's bytes, read through docker exec as base64 with its size first:
        under a heavy load the exec's output once came back short, so a copy whose size is not
        the file's is read again."""
        for _ in range(READ_BACK_TRIES):
            code, output = self.output_of("sh", "-c", f"wc -c < {binary} && base64 -w0 {binary}")
            size, _, encoded = output.partition("\n")
            try:
                data = base64.b64decode(encoded, validate=True)
            except ValueError:
                continue
            if code == 0 and size.strip() == str(len(data)):
                return data
        raise InfraError(f"could not read the compiled {binary} back whole: {output[:200]!r}")

    def run(self, *args: str, image: str | None = None, stdout: str | None = None,
            command: list[str] | None = None) -> Program:
        """Start the learner's program with these arguments (or `command`, run as the learner
        too), under a terminal (its standard output to the file `stdout` in the container
        instead, if given: probe.read_file)."""
        command = command or self.command(*args)
        sandbox, probe = self._container(image)
        program = exec_program(sandbox, command, self._name(command), self.output_limit,
                               self.deadline, stdout)
        self.programs.append(program)
        self._started(program, f"in the {sandbox.variant} container", lambda: probe)
        return program

    def boot(self, *args: str, image: str | None = None, command: list[str] | None = None,
             pids: int | None = None) -> "Booted":
        """A fresh container whose own command is the learner's program with these arguments
        (or `command`), run as the learner under a terminal: PID 1 itself in the noinit image,
        tini's child in the tini image; `pids` is its pids limit instead of the lab's. It is
        removed when the exercise's programs stop."""
        command = command or self.command(*args)
        # Made outside the lock, so that threads of a scenario can boot several side by side.
        sandbox = self.containers.sandbox(image or self.image, command, pids).__enter__()
        with self._booting:
            self.booted.push(sandbox)   # removed by stop_programs
            self.booted_sandboxes.append(sandbox)
        program = attach_program(sandbox, self._name(command), self.output_limit, self.deadline)
        with self._booting:
            self.programs.append(program)
        booted = Booted(program, sandbox, self.booted)
        self._started(program, f"as PID 1 of a {sandbox.variant} container",
                      lambda: booted.started_probe)
        return booted

    def _started(self, program: Program, where: str, probe: Callable[[], Probe | None]) -> None:
        """Keep a program's run for its timeline, numbered: an exercise runs a program often."""
        with self._booting:
            run = Run(program, f"run {len(self.runs) + 1}: {program.name}, {where}", probe)
            self.runs.append(run)
        self._current.run = run

    def _witness(self) -> Sighting | None:
        """The moment a check fails, in the run this thread started last (else the last run)."""
        run = getattr(self._current, "run", None) or (self.runs[-1] if self.runs else None)
        probe = run.probe() if run else None
        if probe is None:
            return None
        last = getattr(self._current, "sighting", None)
        if not (last and last.same_moment(run, probe)):   # checks failed together share one
            last = self._current.sighting = Sighting(run, probe)
        return last

    def _name(self, command: list[str]) -> str:
        """How messages name a program: by the learner's file if it runs it, else the command."""
        mine = self.file in command or (self.language is not None
                                        and self.language.command(self.file)[-1] in command)
        return self.file if mine else command[0].rsplit("/", 1)[-1]

    def sibling(self) -> "Exercise":
        """An Exercise on the same containers and deadline with programs of its own: for
        running a second scenario (a reference beside the learner's, say) in another thread."""
        twin = Exercise(self.spec, self.containers, self.image, self.output_limit, self.file)
        twin.deadline = self.deadline
        twin.booted_sandboxes = self.booted_sandboxes   # halted with this exercise's
        return twin

    @contextmanager
    def time_limit(self):
        """Hold the scenario to the exercise's time limit. Its waits have timeouts of their own,
        but a fork bomb can slow each probe answer and docker exec for many seconds: past the
        limit (and a grace), every container of the exercise is halted, which ends the waits,
        and the checks not judged by then fail for running out of time."""
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()) + OVERRUN_GRACE,
                                self._overrun)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _overrun(self) -> None:
        self.overran = True
        # Only the images this exercise used: stop_programs() replaces exactly those.
        for sandbox in self.containers.sandboxes(list(self.images_used)) + self.booted_sandboxes:
            sandbox.halt()

    def output_of(self, *argv: str, image: str | None = None) -> tuple[int, str]:
        """Run a trusted command to its end as the learner, with no terminal: its exit status and
        its standard output."""
        return self._container(image)[0].exec_output(*argv)

    def signal(self, pids: int | list[int], signame: str, image: str | None = None) -> None:
        """Send a signal to a process, or to several at once, as the learner would (the probe's
        root has no CAP_KILL)."""
        self._container(image)[0].signal(pids, signame)

    @contextmanager
    def check(self, check_id: str) -> Iterator[Verdict]:
        """Judge one check of lab.yaml: it passes unless the block raises CheckFailed (require,
        expect...). The block gets its Verdict, to add notes shown under it either way."""
        self.spec.check(check_id)   # a check lab.yaml does not have is the lab's bug
        with self.verdicts.check(check_id) as verdict:
            yield verdict

    def needed_by(self, *check_ids: str):
        """Work these checks stand on: if it fails (CheckFailed), each of them not yet judged
        fails with it. The failure ends the block: judge what depends on it inside."""
        for check_id in check_ids:
            self.spec.check(check_id)
        return self.verdicts.needed_by(*check_ids)

    def new_verdicts(self) -> Verdicts:
        """Verdicts of one run, for a scenario that judges each check over several runs."""
        verdicts = Verdicts(self._explain_failure, self._witness, self.skipped)
        self.run_verdicts.append(verdicts)
        return verdicts

    def skip(self, check_id: str, reason: str) -> None:
        """Leave a check out of this grade, saying why (what this machine cannot do): it scores
        0 of 0, neither for nor against the learner."""
        self.spec.check(check_id)
        self.skipped[check_id] = reason
        self.verdicts.record(check_id, Verdict(passed=True, skipped=reason))

    def skip_unmet(self, offered: frozenset[str]) -> bool:
        """Skip each check that needs what this backend does not offer (labspec's NEEDS), and
        the whole exercise where its runs cannot even be made here (RUN_NEEDS). True if the
        exercise is not to run at all."""
        unmet = self.spec.unmet(offered)
        for check_id, needs in unmet.items():
            if needs:
                self.skip(check_id, "it needs " + " and ".join(NEEDS[n] for n in needs)
                          + ", which this grader lacks")
        unrunnable = self.spec.unrunnable(offered)
        if not unrunnable:
            return False
        for spec in self.spec.checks:
            if not unmet[spec.id]:
                self.skip(spec.id, f"its runs are also those of {', '.join(unrunnable)}, which "
                                   "this grader cannot make")
        return True

    def skip_all(self, reason: str) -> None:
        """Leave every check of the exercise out of this grade (a kernel too old for all of it)."""
        for spec in self.spec.checks:
            self.skip(spec.id, reason)

    def _explain_failure(self, observed: str) -> str:
        if self.overran:   # what failed is the halt's doing, not the program's
            return (f"the exercise ran past its {self.spec.timeout:g} s time limit; the grader "
                    "stopped its containers")
        return observed

    def fail_unjudged(self, reason: str) -> None:
        for spec in self.spec.checks:
            self.verdicts.fail(spec.id, reason)

    def unjudged(self) -> list[str]:
        return [spec.id for spec in self.spec.checks if spec.id not in self.verdicts.by_check]

    def ordered_results(self) -> list[CheckResult]:
        """A result per check of lab.yaml, in its order (every check must have a verdict)."""
        results = []
        granted = self.containers.lab.spec.skipped_points == "granted"
        for spec in self.spec.checks:
            v = self.verdicts.by_check[spec.id]
            results.append(CheckResult(self.spec.file, spec.id, spec.name,
                                       0 if v.skipped and not granted else spec.points,
                                       v.passed, v.observed,
                                       "" if v.passed else self._hint(spec), v.notes, v.skipped,
                                       None if v.passed else self._failed_in(spec.id)))
        return results

    def _failed_in(self, check_id: str) -> Timeline | None:
        """The run a check first failed in: a run's own verdicts saw it first, if it has."""
        seen = [v.seen[check_id] for v in [*self.run_verdicts, self.verdicts] if check_id in v.seen]
        return seen[0].timeline if seen else None

    def timelines(self) -> list[Timeline]:
        """The runs of the exercise as they ended (the first MOST_TIMELINES), for its page."""
        return [sighting.timeline for sighting in self.sightings[:MOST_TIMELINES]]

    @contextmanager
    def step(self) -> Iterator[None]:
        """A stage of the scenario: the programs it started, and whatever they left running,
        end with the block, so that the next stage starts in a clear container."""
        try:
            yield
        finally:
            self.stop_programs()

    def _hint(self, spec) -> str:
        compiled = self.language is not None and self.language.compiled
        return spec.c_hint if compiled and spec.c_hint else spec.hint

    def _sight_ended_runs(self) -> None:
        """Keep each run of this step as it ended, before its container and probe go."""
        ended, self._sighted = self.runs[self._sighted:], len(self.runs)
        for run in ended:
            probe = run.probe()
            if probe is not None:
                self.sightings.append(Sighting(run, probe))

    def stop_programs(self, empty_scratch: bool = False) -> None:
        """End every program this exercise started, and everything they left running (and, at
        the exercise's end, the files they left in /tmp and the like)."""
        self._sight_ended_runs()
        for program in self.programs:
            program.close()
        self.programs.clear()
        self.booted.close()
        for image in self.images_used:
            self.containers.reset(image, empty_scratch)


class Booted:
    """A container booted for one run of a program: its terminal, its probe (started when first
    used, once the container runs), and signals sent to its PID 1 from outside."""

    def __init__(self, program: Program, sandbox: Sandbox, stack: ExitStack):
        self.program = program
        self.sandbox = sandbox
        self._stack = stack
        self._probe: Probe | None = None

    @property
    def probe(self) -> Probe:
        if self._probe is None:
            if not self.sandbox.wait_running():
                raise CheckFailed(f"{self.program.name} had exited before it could be observed")
            self._probe = Probe(self.sandbox)
            self._stack.callback(self._probe.close)
        return self._probe

    @property
    def started_probe(self) -> Probe | None:
        """Its probe if one was started (a container that ended first never had one)."""
        return self._probe

    def running(self) -> bool:
        return self.sandbox.running()

    def wait_running(self, timeout: float = 10.0) -> bool:
        """Wait until the container runs; False if its command had already ended."""
        return self.sandbox.wait_running(timeout)

    def kill(self, signame: str) -> None:
        """`docker kill -s`: the signal reaches PID 1 from outside its PID namespace."""
        self.sandbox.kill(signame)

    def signal(self, pid: int, signame: str) -> None:
        """A signal sent from inside, as the learner."""
        self.sandbox.signal(pid, signame)
