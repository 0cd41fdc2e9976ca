"""Every demo does what its handout says, in the learner's own shell (`make labN`, through the
real scripts/enter-lab, Compose and the engine), several times, each run under a timeout.

A demo states what it shows in comment lines the test reads, so no demo is named here:

    # run: python3 /lab/demos/zombie_demo.py --seconds 1      (typed at the lab shell's prompt)
    # run tini: ...                                           (in `make labN INIT=tini`)
    # shows: State:\\s+Z \\(zombie\\)      (a regular expression its output must hold, every run)
    # hides: Permission denied            (one its output must never hold; a traceback never)

Each `run` starts a case in a fresh container; the `shows` and `hides` lines after it belong to
it. A run ends when the command returns to the shell, or the shell ends (a demo run with exec).
"""
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pexpect
import pytest

from conftest import ROOT
from grader import labspec

RUNS = 3                  # each case, in a fresh container each time
RUN_TIMEOUT = 30          # seconds for one run of a case's command
ENTER_TIMEOUT = 60        # seconds for the lab shell to start
GONE_TIMEOUT = 10         # seconds for the shell's container to be removed after the session
PROMPT = r"learner@lab:~/work\$ "
# Markers around the command's output: typed with echo off, so only the shell's output holds them.
BEGIN, END = "<<demo-begins>>", "<<demo-ended"
CASE_LINE = re.compile(r"^# (run|run tini|shows|hides): (.+)$")
TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")   # bash's bracketed-paste switches, CRs
CRASHED = r"Traceback \(most recent call last\)"   # hidden by every case


@dataclass
class Case:
    demo: Path
    init: str                  # noinit or tini: the lab shell it runs in
    command: str
    shows: list[str] = field(default_factory=list)
    hides: list[str] = field(default_factory=list)

    @property
    def lab(self) -> str:
        return self.demo.parent.parent.name

    @property
    def name(self) -> str:
        return f"{self.lab}/{self.demo.name}: {self.command}" + (" (tini)" if self.init == "tini" else "")


class DemoError(Exception):
    """A demo whose case lines do not say what it shows."""


def cases_of(demo: Path, text: str) -> list[Case]:
    """The cases a demo's comment lines declare, in order."""
    cases: list[Case] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = CASE_LINE.match(line.rstrip())
        if not match:
            continue
        kind, value = match.groups()
        if kind.startswith("run"):
            cases.append(Case(demo, "tini" if kind == "run tini" else "noinit", value.strip()))
            continue
        if not cases:
            raise DemoError(f"{demo}:{number}: '{kind}' before any 'run'")
        try:
            re.compile(value)
        except re.error as exc:
            raise DemoError(f"{demo}:{number}: not a regular expression: {exc}") from None
        (cases[-1].shows if kind == "shows" else cases[-1].hides).append(value)
    for case in cases:
        if not case.shows:
            raise DemoError(f"{demo}: '{case.command}' says nothing it shows")
    return cases


def all_demos() -> list[Path]:
    return sorted(p for lab in labspec.available()
                  for p in (labspec.LABS_DIR / lab / "demos").glob("*.py"))


def all_cases() -> list[Case]:
    return [case for demo in all_demos() for case in cases_of(demo, demo.read_text())]


# --- fast: the declarations themselves ------------------------------------------------------
def test_every_demo_says_what_it_shows():
    silent = [demo.relative_to(ROOT) for demo in all_demos()
              if not cases_of(demo, demo.read_text())]
    assert not silent, f"demos with no '# run:' and '# shows:' lines: {silent}"


def test_case_lines_are_read_in_order():
    text = "x = 1\n# run: python3 a.py\n# shows: ^one$\n# hides: Traceback\n" \
           "# run tini: python3 a.py --b\n# shows: two\n"
    first, second = cases_of(Path("labs/lab9/demos/a.py"), text)
    assert (first.init, first.command, first.shows, first.hides) == \
        ("noinit", "python3 a.py", ["^one$"], ["Traceback"])
    assert (second.init, second.command, second.shows) == ("tini", "python3 a.py --b", ["two"])
    assert second.lab == "lab9"


@pytest.mark.parametrize("text, problem", [
    ("# shows: x\n", "before any 'run'"),
    ("# run: a\n", "says nothing it shows"),
    ("# run: a\n# shows: (\n", "not a regular expression"),
])
def test_a_bad_declaration_is_named(text, problem):
    with pytest.raises(DemoError, match=re.escape(problem)):
        cases_of(Path("d.py"), text)


# --- the demos, in the learner's shell --------------------------------------------------------
def learner_env(project: str) -> dict:
    """A learner's terminal, with a Compose project of the run's own: its container alone."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "WORKSPACE"}}
    env["TERM"] = "xterm"
    env["COMPOSE_PROJECT_NAME"] = project
    return env


def containers_left(client, project: str) -> list:
    """The project's containers, once GONE_TIMEOUT has passed or none is left."""
    deadline = time.monotonic() + GONE_TIMEOUT
    while True:
        left = client.containers.list(
            all=True, sparse=True, filters={"label": f"com.docker.compose.project={project}"})
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def run_in_lab_shell(client, case: Case, workspace: Path) -> str:
    """What the command printed at the prompt of a fresh `make LAB [INIT=tini]` shell, which is
    then closed as a terminal window is (the shell is not told to exit): its container must go."""
    project = f"demo-{uuid.uuid4().hex[:8]}"
    child = pexpect.spawn(str(ROOT / "scripts" / "enter-lab"), [case.lab, case.init, str(workspace)],
                          cwd=str(ROOT), env=learner_env(project), encoding="utf-8",
                          codec_errors="replace", dimensions=(50, 250), timeout=RUN_TIMEOUT)
    try:
        child.expect(PROMPT, timeout=ENTER_TIMEOUT)
        # Echo off and no prompt: the output between the markers is the command's own.
        child.sendline(f"stty -echo; PS1=; PS2=; echo '{BEGIN}'")
        child.expect_exact(BEGIN + "\r\n")
        child.sendline(case.command)
        child.sendline(f"echo '{END}' $?'>>'")
        try:
            child.expect_exact(END)
        except pexpect.EOF:   # the command replaced the shell (exec) and has ended
            pass
        except pexpect.TIMEOUT:
            pytest.fail(f"{case.name}: still running after {RUN_TIMEOUT} s; it printed:\n"
                        f"{child.before}")
        return TERMINAL_CODES.sub("", child.before)
    finally:
        child.close(force=True)
        left = containers_left(client, project)
        for container in left:
            container.remove(force=True)
        assert not left, f"{case.name}: the shell's container outlived its closed terminal"


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.name)
def test_demo_shows_what_it_says(client, case, tmp_path):
    # The runs side by side: each mostly waits (for its shell, its demo's sleeps, its
    # container's removal), and each has a workspace and a Compose project of its own.
    with ThreadPoolExecutor(RUNS) as pool:
        outputs = list(pool.map(lambda run: run_in_lab_shell(client, case, tmp_path / f"work{run}"),
                                range(1, RUNS + 1)))
    for run, output in enumerate(outputs, 1):
        for pattern in case.shows:
            assert re.search(pattern, output, re.MULTILINE), \
                f"run {run} of {RUNS}: the output does not show /{pattern}/:\n{output}"
        for pattern in [CRASHED, *case.hides]:
            assert not re.search(pattern, output, re.MULTILINE), \
                f"run {run} of {RUNS}: the output shows /{pattern}/:\n{output}"
