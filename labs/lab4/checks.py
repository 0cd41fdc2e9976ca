"""Lab 4's graded scenario: the learner's mini init and tini run the same battery of workloads.

Each workload runs in a fresh container whose PID 1 is the init under test: the learner's in the
noinit image (the container's command is `python3 mini_init.py CMD...`, or `/path/to/mini_init CMD...`
for mini_init.c, compiled by the engine beforehand), or tini in the tini
image (whose entrypoint is `tini --`). The subreaper case runs each init under docker exec
instead, in the long-lived container whose PID 1 is a `sleep` that never reaps. The workloads
are trusted programs (labs/lab4/support, at SUPPORT_DIR in the container) that report
what they saw; the grader holds what they report against the kernel's process table, so an init
that only prints what a workload would print does not pass.

tini is the reference: each check shows the learner's result beside tini's, and a case that
tini fails is a bug in this battery (tests/test_lab4.py holds tini to every case).

Timing is judged from the kernel's record of each exit, stop, continue and reaping, less the time
the init spent waiting for a CPU (its schedstat), so a busy machine never makes a correct init
look slow.
Races are provoked, not hoped for: the init is stopped (SIGSTOP) while fifty orphans exit at
once, so their SIGCHLDs coalesce into one pending signal, every time.
"""
import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from grader.scenario import (BOOT_SHELL, SUPPORT_DIR, CheckFailed, InfraError, Life, Probe, Proc,
                             Program, Verdict, Verdicts, exercise, ms, require, signal_names)


# The signals tini forwards that the battery sends, in this order. SIGTERM is not the last, so
# an init that exits on SIGTERM is caught by the signals after it, not only by a race.
FORWARDED = ["HUP", "INT", "QUIT", "USR1", "USR2", "PIPE", "ALRM", "TERM", "CONT", "TSTP", "URG",
             "WINCH"]
FORWARDING_BUDGET = 6.0       # seconds for all of them, however many never arrive
# Arguments a shell would split or expand: an init must pass them on as they are.
ARGUMENTS = ["two words", "$HOME", "*"]
EXIT_CODES = [0, 3, 42]
SIGNAL_DEATHS = {"KILL": 137, "SEGV": 139}
SIGNAL_STATE = f"{SUPPORT_DIR}/signal-state"   # the first workload's CMD
EXEC_FAILURES = {"no-such-command": 127, "not-executable": 126}   # files in SUPPORT_DIR (or not)
DAEMON_CODE = 5               # leaves_daemon.py's exit code
SUBREAPER_CODE = 7            # orphans.py's exit code under docker exec
ORPHANS = 50
REAP_LIMIT = 0.2              # seconds an adopted zombie may wait once the init runs again
TERM_WATCH = 1.0              # seconds CMD must outlive a SIGTERM it ignores
IDLE_SECONDS = 2.0
STARTUP_LIMIT = 30.0          # seconds for the engine to start a container (not the init's)
STATUS_LIMIT = 5.0            # seconds for a status container to run and end, once started
# PIDs of each status container: the init, CMD and an orphan need a few. The eight are booted at
# once, and an init that forks without end fills them all; the kernel takes minutes to end 8 x
# 128 processes caught mid-fork, but seconds for 8 x 16.
STATUS_PIDS = 16
IDLE_CPU_LIMIT = 0.05         # share of one CPU an idle init may use
# Times an idle init may wake in IDLE_SECONDS: tini's sigtimedwait wakes once a second; an
# init that polls waitpid(WNOHANG) every 50 ms wakes 40 times.
IDLE_WAKEUPS = 6
# glibc keeps signals 32 and 33 for itself (SIGCANCEL, SIGSETXID), and its posix_spawn leaves
# them ignored in the child whatever the caller asks: no init's doing.
GLIBC_RESERVED = (1 << 31) | (1 << 32)


def listed(names: list[str], most: int = 6) -> str:
    """HUP, INT, QUIT: a few names, then how many more."""
    if not names:
        return "none"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


# --- one init's results -------------------------------------------------------------------
class Trial:
    """One init's run of the battery: a verdict per check (its summary, what the init did in a
    few words, is shown beside the other init's), judged the way ex.check judges."""

    def __init__(self, init, verdicts: Verdicts | None = None):
        self.init = init
        self.verdicts = verdicts or Verdicts()   # ex.new_verdicts(): a failure keeps its run
        self.foreign = ""   # what another program than the init's own did in its place
        self.inert = ""     # why the rest of the battery was not run: the init started nothing

    def verdict(self, check_id: str) -> Verdict:
        if check_id in self.verdicts.by_check:
            return self.verdicts.by_check[check_id]
        if self.inert:
            return Verdict(summary="not run", observed=self.inert)
        raise InfraError(f"lab bug: the battery never judged {check_id}")

    @property
    def passed(self) -> bool:
        return not self.foreign and not self.inert and \
            all(verdict.passed for verdict in self.verdicts.by_check.values())

    def saved(self) -> dict:
        return {"foreign": self.foreign,
                "verdicts": {check_id: vars(verdict)
                             for check_id, verdict in self.verdicts.by_check.items()}}

    @classmethod
    def restored(cls, init, saved: dict) -> "Trial":
        trial = cls(init)
        trial.foreign = saved["foreign"]
        for check_id, verdict in saved["verdicts"].items():
            trial.verdicts.record(check_id, Verdict(**verdict))
        return trial


# --- the two inits --------------------------------------------------------------------------
class MiniInit:
    """The learner's init: PID 1 of a noinit container, or a subreaper under docker exec."""
    name = "yours"

    def boot(self, ex, argv: list[str], pids: int | None = None):
        return ex.boot(*argv, pids=pids)

    def exec(self, ex, argv: list[str]) -> Program:
        return ex.run("--subreaper", *argv)


class Tini:
    """The reference: PID 1 of a tini container (its entrypoint is `tini --`), or `tini -s`."""
    name = "tini"

    def boot(self, ex, argv: list[str], pids: int | None = None):
        return ex.boot(image="tini", command=list(argv), pids=pids)

    def exec(self, ex, argv: list[str]) -> Program:
        return ex.run(command=["tini", "-s", "--", *argv])


MINI_INIT, TINI = MiniInit(), Tini()


@dataclass
class Stage:
    """Where a workload runs under an init: its terminal, the probe that sees it, the init's
    PID, and how the grader signals the init (from outside, as docker does) and others."""
    program: Program
    probe: Probe
    init_pid: int
    signal_init: Callable[[str], None]
    signal: Callable[[int, str], None]


def signal_workload(stage: Stage, pid: int, signame: str) -> None:
    """Signal a workload straight from the grader, if it is still there: the engine reports a
    failed `kill` as its own failure, and an init may have taken its child with it."""
    require(pid in stage.probe.snapshot(), f"CMD (PID {pid}) is gone before the grader's "
                                           f"SIG{signame} could reach it")
    stage.signal(pid, signame)


def booted_stage(booted) -> Stage:
    return Stage(booted.program, booted.probe, 1, booted.kill, booted.signal)


def exec_stage(ex, program: Program) -> Stage:
    return Stage(program, ex.probe, program.pid, lambda sig: ex.signal(program.pid, sig), ex.signal)


# --- what the kernel says -------------------------------------------------------------------
def require_child(procs, pid: int, init_pid: int, what: str = "CMD") -> None:
    """pid must be a live child of the init: the workload really runs under it."""
    proc = procs.get(pid)
    require(proc is not None, f"{what} said it was PID {pid}, but no process has that PID")
    require(pid != init_pid, f"{what} is PID {pid}, the init's own PID: the init exec'd it "
                             "instead of running it as a child")
    require(proc.ppid == init_pid, f"{what} (PID {pid}) is a child of PID {proc.ppid}, not of "
                                   f"the init (PID {init_pid})")


# --- the battery ----------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusCase:
    """A workload judged by the init's exit status alone."""
    check_id: str
    label: str            # how the note names it
    argv: tuple[str, ...]
    expected: int
    said: str = ""        # a line CMD prints just before it exits: the init's time runs from it


STATUS_CASES = [
    *(StatusCase("exit-codes", f"CMD {code}", ("sh", "-c", f"exit {code}"), code)
      for code in EXIT_CODES),
    *(StatusCase("signal-deaths", f"SIG{name}", ("python3", f"{SUPPORT_DIR}/die_by.py", name), code)
      for name, code in SIGNAL_DEATHS.items()),
    *(StatusCase("exec-failures", name, (f"{SUPPORT_DIR}/{name}",), code)
      for name, code in EXEC_FAILURES.items()),
    StatusCase("exits-at-once", "orphan left running",
               ("python3", f"{SUPPORT_DIR}/leaves_daemon.py", str(DAEMON_CODE)), DAEMON_CODE,
               said=rf"leaving \d+ running, exiting {DAEMON_CODE}"),
]


def exit_statuses(ex, trial: Trial) -> None:
    """Every status case at once, each in a container of its own: they start side by side
    (a container takes most of a second to start, run and end), then the grader collects
    their statuses in turn, all within one window that opens once every container runs."""
    checks = sorted({case.check_id for case in STATUS_CASES})
    with trial.verdicts.needed_by(*checks):
        with ThreadPoolExecutor(len(STATUS_CASES)) as engine:   # the engine makes them side by side
            booted = list(zip(STATUS_CASES, engine.map(
                lambda case: trial.init.boot(ex, list(case.argv), STATUS_PIDS), STATUS_CASES)))
        for _, b in booted:   # a busy engine may take seconds to start eight: not the init's time
            b.wait_running(STARTUP_LIMIT)   # False if it already ended: as good
        window = time.monotonic() + STATUS_LIMIT
        statuses = {case: status_of(ex, case, b, window) for case, b in booted}
    for check_id in checks:
        judge_statuses(ex, trial, check_id,
                       {case: status for case, status in statuses.items() if case.check_id == check_id})


def status_of(ex, case: StatusCase, booted, window: float) -> int | None:
    """The init's exit status, or None if it was still running when the window closed (or,
    for a case that prints a last line, the check's timeout after that line)."""
    program = booted.program
    try:
        if case.said:
            program.expect_line(case.said, max(0.0, window - time.monotonic()),
                                "the workload's last line")
            return program.wait_exit(ex.timeout(case.check_id))
        return program.wait_exit(max(0.0, window - time.monotonic()))
    except CheckFailed:
        return program.exit_status   # set if it ended before saying what it should


def judge_statuses(ex, trial: Trial, check_id: str, statuses: dict[StatusCase, int | None]) -> None:
    def told(status):
        return "still running" if status is None else f"exit {status}"

    with trial.verdicts.check(check_id) as verdict:
        verdict.summary = ", ".join(told(status) if len(statuses) == 1 else f"{c.label}: {told(status)}"
                                 for c, status in statuses.items())
        if check_id == "exits-at-once":
            require(None not in statuses.values(),
                    f"CMD exited {DAEMON_CODE}, leaving an orphan that runs for a minute, and the "
                    f"init was still running {ex.timeout(check_id):g} s later")
        wrong = [f"{c.label}: the init " + ("was still running" if status is None else
                                            f"exited {status}") + f", not {c.expected}"
                 for c, status in statuses.items() if status != c.expected]
        require(not wrong, "; ".join(wrong))


@dataclass
class Catcher:
    """CMD of the forwarding workload: its PID and arguments as it reported them once ready,
    and the container's processes as the kernel showed them then."""
    pid: int
    arguments: str
    procs: dict[int, Proc]

    @property
    def is_child(self) -> bool:
        return self.pid in self.procs and self.procs[self.pid].ppid == 1 and self.pid != 1


def forwarding(ex, trial: Trial) -> None:
    """One container for four checks: CMD's parent and arguments, the signal state CMD starts
    with, the init's CPU while nothing happens, and then each signal forwarded."""
    with trial.verdicts.needed_by("runs-child", "clean-signal-state", "idle-cpu",
                                  "forwards-signals"):
        booted = trial.init.boot(ex, [SIGNAL_STATE, "python3", f"{SUPPORT_DIR}/catch_signals.py",
                                      *ARGUMENTS])
        state = signal_state_reported(ex, trial, booted)
        catcher = catcher_ready(ex, booted)
        foreign = foreign_program(ex, booted.probe.record().of(1))
        if trial.init is MINI_INIT:
            trial.foreign = foreign
        judge_runs_child(trial, catcher)
        judge_clean_signal_state(ex, trial, state, catcher)
        judge_idle_cpu(trial, booted.probe)
        judge_forwards_signals(ex, trial, booted, catcher)


def signal_state_reported(ex, trial: Trial, booted) -> re.Match:
    """The signal-state helper's line: the PID it was about to become CMD as, and the masks CMD
    starts with. If it never comes because the init never started CMD, the battery stops here."""
    try:
        return booted.program.expect_line(r"state (\d+) blocked ([0-9a-f]+) ignored ([0-9a-f]+)",
                                          ex.timeout("clean-signal-state"),
                                          "the workload's signal state")
    except CheckFailed:
        trial.inert = never_ran_cmd(booted, ex.timeout("clean-signal-state"), ex.executable)
        raise


def catcher_ready(ex, booted) -> Catcher:
    # [^\r\n], not ".": "." would take in the line's \r.
    ready = booted.program.expect_line(r"catcher (\d+) ready args ([^\r\n]*)",
                                       ex.timeout("runs-child"), "the workload's ready line")
    return Catcher(int(ready.group(1)), ready.group(2), booted.probe.snapshot())


def foreign_program(ex, init: Life) -> str:
    """What PID 1 exec'd besides the boot shell and the learner's program, said as why the work
    was not the learner's init's, or ""."""
    paths = [path for _, path in init.execs]
    mine = next((i for i, path in enumerate(paths) if path == ex.executable), len(paths))
    others = [path for path in paths[:mine] if path != BOOT_SHELL] + \
             [path for path in paths[mine:] if path != ex.executable]
    if not others:
        return ""
    return f"{ex.file} exec'd {others[0]}: the init that did the work was another program"


def judge_runs_child(trial: Trial, catcher: Catcher) -> None:
    with trial.verdicts.check("runs-child") as verdict:
        verdict.summary = "CMD is its child" if catcher.is_child else "CMD is not its child"
        require_child(catcher.procs, catcher.pid, 1)
        args = arguments_reported(catcher.arguments)
        verdict.summary += ", arguments intact" if args == ARGUMENTS else ", arguments changed"
        require(args == ARGUMENTS, f"CMD got the arguments {args}, not {ARGUMENTS}")


def judge_clean_signal_state(ex, trial: Trial, state: re.Match, catcher: Catcher) -> None:
    with trial.verdicts.check("clean-signal-state") as verdict:
        blocked = signal_names(int(state.group(2), 16), short=True)
        ignored = signal_names(int(state.group(3), 16) & ~runtime_ignored(ex) & ~GLIBC_RESERVED,
                               short=True)
        verdict.summary = f"blocked: {listed(blocked)}; ignored: {listed(ignored)}"
        require(int(state.group(1)) == catcher.pid, "the signal state came from another process")
        require(catcher.is_child, f"CMD (PID {catcher.pid}) is not the init's child")
        require(not blocked, f"CMD started with these signals blocked: {listed(blocked)}")
        require(not ignored, f"CMD started with these signals ignored: {listed(ignored)}")


def judge_idle_cpu(trial: Trial, probe: Probe) -> None:
    with trial.verdicts.check("idle-cpu") as verdict:
        share, woke = idle_cpu_share(probe)
        verdict.summary = f"{share:.0%} of a CPU, woke {woke} times"
        require(share <= IDLE_CPU_LIMIT,
                f"while nothing happened for {IDLE_SECONDS:g} s the init used {share:.0%} of "
                f"a CPU (at most {IDLE_CPU_LIMIT:.0%})")
        require(woke <= IDLE_WAKEUPS,
                f"while nothing happened for {IDLE_SECONDS:g} s the init woke {woke} times "
                f"(at most {IDLE_WAKEUPS}): it polls instead of waiting for a signal")


def judge_forwards_signals(ex, trial: Trial, booted, catcher: Catcher) -> None:
    with trial.verdicts.check("forwards-signals") as verdict:
        require(catcher.is_child, f"CMD (PID {catcher.pid}) is not the init's child")
        missing, ending = send_each_signal(ex, booted)
        leaked = [name for name in FORWARDED
                  if name in reported_signals(booted.program, "helper")]
        verdict.summary = f"{len(FORWARDED) - len(missing)} of {len(FORWARDED)} reached CMD"
        if leaked:
            verdict.summary += f", {len(leaked)} its helper too"
        require(not missing, f"CMD never got SIG{', SIG'.join(missing)} from the init{ending}")
        require(not leaked, f"SIG{', SIG'.join(leaked)} also reached a helper in CMD's "
                            "process group: forward to CMD's PID, not its group")


def never_ran_cmd(booted, waited: float, executable: str) -> str:
    """Why no other workload is worth running, or "": in the time CMD had to start, no process
    of the container exec'd CMD's program (the signal-state helper) after the init became the
    learner's program (`executable`: python3 for mini_init.py, the compiled binary for
    mini_init.c). An init that sleeps, spins, forks without end or runs programs of its own
    instead would hold every workload's time limit, in eight containers at once."""
    try:
        record = booted.probe.record()
    except (CheckFailed, InfraError):
        return ""   # it has ended, or cannot be read: the battery goes on
    init = record.of(1)
    mine = [t for t, path in init.execs if path == executable]
    if not mine:
        return ""
    inside = [life for life in record.processes(after=mine[0]) if life.creator]   # not docker exec's
    if any(t > mine[0] and path == SIGNAL_STATE for life in [init, *inside] for t, path in life.execs):
        return ""
    return (f"not run: in the first workload nothing ran CMD within {waited:g} s (your init "
            f"never exec'd {SIGNAL_STATE}), so no workload would run")


def runtime_ignored(ex) -> int:
    """The signals every container starts with ignored, as the long-lived container's PID 1
    shows: a Docker engine started from a shell that ignores some passes them on to every
    container. No init put them there, so none is held against one."""
    masks = ex.probe.signal_masks(1)
    return masks.ignored if masks else 0


def arguments_reported(text: str):
    """The workload's arguments, as it printed them (JSON), or the raw text if that is garbled."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def idle_cpu_share(probe: Probe) -> tuple[float, int]:
    """The share of one CPU PID 1 used while the grader waited and nothing happened, and how
    many times its threads went to sleep meanwhile (the kernel's count of their voluntary
    context switches: one per wakeup, which load can delay but never add)."""
    before, woken, start = probe.get(1), probe.wakeups(1), time.monotonic()
    time.sleep(IDLE_SECONDS)
    after, woke, elapsed = probe.get(1), probe.wakeups(1) - woken, time.monotonic() - start
    require(before is not None and after is not None, "PID 1 is gone")
    return (after.cpu_seconds - before.cpu_seconds) / elapsed, woke


def send_each_signal(ex, booted) -> tuple[list[str], str]:
    """docker kill each signal in turn, waiting for CMD to report it from PID 1 before the
    next; return the ones CMD never reported, and how the container ended if it did."""
    prog = booted.program
    deadline = time.monotonic() + FORWARDING_BUDGET
    for name in FORWARDED:
        if prog.exit_status is not None:
            break
        booted.kill(name)
        wait = max(0.2, min(ex.timeout("forwards-signals"), deadline - time.monotonic()))
        try:
            prog.expect_line(rf"catcher got SIG{name} from 1", wait)
        except CheckFailed:
            pass   # judged below from all it printed: a late report still counts
    got = reported_signals(prog, "catcher")
    ending = "" if prog.exit_status is None else \
        f" (the container ended with status {prog.exit_status} along the way)"
    return [name for name in FORWARDED if name not in got], ending


def reported_signals(prog: Program, who: str) -> set[str]:
    """The signals `who` (catcher or helper) said it got from PID 1, the init."""
    return {m.group(1) for line in prog.lines()
            if (m := re.fullmatch(rf"{who} got SIG(\w+) from 1", line.strip()))}


def survives_term(ex, trial: Trial) -> None:
    with trial.verdicts.check("survives-term") as verdict:
        booted = trial.init.boot(ex, ["python3", f"{SUPPORT_DIR}/ignores_term.py"])
        pid = int(booted.program.expect_line(r"ignoring SIGTERM (\d+)", ex.timeout("survives-term"),
                                             "the workload's ready line").group(1))
        require_child(booted.probe.snapshot(), pid, 1)
        booted.kill("TERM")
        time.sleep(TERM_WATCH)
        if not booted.running():
            status = booted.program.wait_exit(ex.timeout("survives-term"))
            verdict.summary = f"exit {status}"
            require(False, f"after SIGTERM the init exited with status {status}, and CMD, which "
                           "ignores SIGTERM, went with it")
        proc = booted.probe.get(pid)
        verdict.summary = "CMD running after SIGTERM" if proc and proc.state != "Z" else "CMD killed"
        require(proc is not None and proc.state != "Z",
                f"CMD, which ignores SIGTERM, was gone {ms(TERM_WATCH)} after SIGTERM")


def reaps_orphans(ex, trial: Trial) -> None:
    with trial.verdicts.check("reaps-orphans") as verdict:
        booted = trial.init.boot(ex, ["python3", f"{SUPPORT_DIR}/orphans.py", str(ORPHANS)])
        workload, orphans = orphans_ready(ex, booted.program, "reaps-orphans")
        try:
            late = coalesced_orphan_exits(booted_stage(booted), workload, orphans)
        except InfraError:
            # The probe lives in the container: if the init, its PID 1, exits meanwhile (a C
            # init that takes sigwaitinfo's EINTR after SIGCONT for an error), the probe may
            # stop answering a moment before the engine sees the container stop.
            if not init_exited(booted.program):
                raise
            require(False, f"the init exited with status {booted.program.exit_status} while its "
                           "orphans were waiting, and the container stopped with it")
        verdict.summary = f"{ORPHANS - len(late)} of {ORPHANS} reaped in time"
        require_in_time(late)


def subreaper(ex, trial: Trial) -> None:
    with trial.verdicts.check("subreaper") as verdict:
        program = trial.init.exec(ex, ["python3", f"{SUPPORT_DIR}/orphans.py", str(ORPHANS),
                                       str(SUBREAPER_CODE)])
        stage = exec_stage(ex, program)
        workload, orphans = orphans_ready(ex, program, "subreaper")
        late = coalesced_orphan_exits(stage, workload, orphans)
        verdict.summary = f"{ORPHANS - len(late)} of {ORPHANS} reaped in time"
        require_in_time(late)
        signal_workload(stage, workload, "USR1")   # its cue to exit SUBREAPER_CODE
        status = program.wait_exit(ex.timeout("subreaper"))
        verdict.summary += f", exit {status}"
        require(status == SUBREAPER_CODE, f"CMD exited {SUBREAPER_CODE}, the init {status}")


def init_exited(program: Program, within: float = 2.0) -> bool:
    """Whether the init's program ends within a moment (a booted container's PID 1)."""
    try:
        program.wait_exit(within)
    except CheckFailed:
        return False
    return True


def orphans_ready(ex, program: Program, check_id: str) -> tuple[int, list[int]]:
    ready = program.expect_line(r"orphans ready (\d+) ([\d ]+)", ex.timeout(check_id),
                                "the workload's ready line")
    return int(ready.group(1)), [int(pid) for pid in ready.group(2).split()]


def coalesced_orphan_exits(stage: Stage, workload: int, orphans: list[int]) -> dict[int, float]:
    """Stop the init, let every orphan exit, continue the init: one SIGCHLD for them all.
    Returns the orphans that stayed zombies longer than REAP_LIMIT after the init continued,
    with how long, by the kernel's times less what the init spent waiting for a CPU."""
    probe, init = stage.probe, stage.init_pid
    require_child(probe.snapshot(), workload, init)
    require_adopted(probe, orphans, init)

    stage.signal_init("STOP")
    stopped = probe.wait_for(lambda procs: init in procs and procs[init].state == "T", timeout=2)
    require(stopped is not None, "the init did not stop on SIGSTOP")
    signal_workload(stage, workload, "USR1")   # it lets all its orphans exit at once
    exited = probe.wait_for(lambda procs: all(pid not in procs or procs[pid].state == "Z"
                                              for pid in orphans), timeout=5)
    require(exited is not None, "the orphans did not exit while the init was stopped")

    waiting = probe.cpu_wait(init)   # stopped, it waits for no CPU till SIGCONT
    stage.signal_init("CONT")
    probe.wait_for(lambda procs: init not in procs or procs[init].state != "T", timeout=2)
    probe.wait_for(lambda procs: not any(pid in procs for pid in orphans), timeout=REAP_LIMIT + 1)
    waited = waiting()
    record = probe.record()
    continued = record.of(init).resumed
    require(continued is not None, "the init did not continue after SIGCONT")
    stayed = {pid: record.of(pid).zombie_time(probe.now(), since=continued) - waited
              for pid in orphans}
    return {pid: t for pid, t in stayed.items() if t > REAP_LIMIT}


def require_adopted(probe: Probe, orphans: list[int], init: int) -> None:
    adopted = probe.wait_for(lambda procs: all(pid in procs and procs[pid].ppid == init
                                               for pid in orphans), timeout=2)
    if adopted is None:
        procs = probe.snapshot()
        parents = Counter(procs[pid].ppid for pid in orphans if pid in procs)
        adopter, count = parents.most_common(1)[0] if parents else (None, 0)
        where = f"PID {adopter} ({procs[adopter].comm})" if adopter in procs else f"PID {adopter}"
        require(False, f"{count} of {ORPHANS} orphans were adopted by {where}, not by the init "
                       f"(PID {init})" + ("" if init == 1 else ": it is not a child subreaper"))


def require_in_time(late: dict[int, float]) -> None:
    worst = sorted(late.items(), key=lambda item: -item[1])[:3]
    require(not late, f"{len(late)} of {ORPHANS} orphans stayed zombies longer than "
                      f"{ms(REAP_LIMIT)} after the init ran again, e.g. "
                      + ", ".join(f"PID {pid} for {ms(t)}" for pid, t in worst))


# forwarding first: an init that starts nothing there is not given the others (Trial.inert).
BATTERY = [forwarding, exit_statuses, survives_term, reaps_orphans, subreaper]
# Each of these boots containers of its own; the subreaper case runs under docker exec in the
# exercise's long-lived container, shared by both inits.
BOOTED = [workload for workload in BATTERY if workload is not subreaper]


def run_battery(ex, init, workloads=BATTERY, cancelled: threading.Event | None = None,
                trial: Trial | None = None) -> Trial:
    """The workloads under one init, each in containers of its own, removed straight after
    (added to `trial`'s verdicts if given)."""
    trial = trial or Trial(init, ex.new_verdicts())
    for workload in workloads:
        if trial.inert or (cancelled is not None and cancelled.is_set()):
            break
        with ex.step():
            workload(ex, trial)
    return trial


def run_both(ex) -> tuple[Trial, Trial]:
    """The learner's battery and tini's. tini's is the same for every submission: it runs beside
    a learner's when no earlier grading on this machine kept it, and is kept once tini has
    passed every case (ex.remembered)."""
    yours = None

    def tini_beside_yours():
        nonlocal yours
        yours, reference = side_by_side(ex)
        run_battery(ex, TINI, [subreaper], trial=reference)
        return reference.saved(), reference.passed

    reference = Trial.restored(TINI, ex.remembered("tini", tini_beside_yours,
                                                   images=("tini", "noinit")))
    if yours is None:
        yours = run_battery(ex, MINI_INIT, BOOTED)
    run_battery(ex, MINI_INIT, [subreaper], trial=yours)
    return yours, reference


def side_by_side(ex) -> tuple[Trial, Trial]:
    """The learner's booted workloads and tini's at once: most of a workload's time is the
    container engine's, so two run in about the time of one. tini's runs in a thread with an
    Exercise of its own (its own programs and containers, so the two never meet). The
    subreaper cases are not here: they share the long-lived container, so run one at a time."""
    beside = ex.sibling()
    cancelled = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        reference_run = pool.submit(run_battery, beside, TINI, BOOTED, cancelled)
        try:
            yours = run_battery(ex, MINI_INIT, BOOTED)
        except BaseException:
            cancelled.set()   # Ctrl-C, or the grader failing: tini's side stops at its next case
            raise
        return yours, reference_run.result()


@exercise("mini_init.py")
def mini_init(ex):
    yours, reference = run_both(ex)
    for check_id in ex.check_ids:
        mine, theirs = yours.verdict(check_id), reference.verdict(check_id)
        with ex.check(check_id) as verdict:
            verdict.note(f"yours: {mine.described} | tini: {theirs.described}")
            require(not yours.foreign, yours.foreign)
            require(mine.passed, mine.observed)
